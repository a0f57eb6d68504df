"""The console driven as a person would: Playwright drives Debian's chromium against a real uvicorn server.

The server runs in a thread on 127.0.0.1 with a temporary SQLite database seeded through the platform's service
functions (tests/web/conftest.py). Chromium is Debian's (``/usr/bin/chromium``, installed by .ci/run; override with
``RADNUC_CHROMIUM``); Playwright's own browser downloads are never used. Set ``RADNUC_SCREENSHOTS=docs/img`` to
refresh the screenshots of the main pages kept in docs/img/console_*.png.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from radnuc.platform.app import create_app
from radnuc.platform.db import Database, transaction
from tests.web.conftest import DATA, PASSWORD, _ingest, seed, web_settings_for

playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="playwright is not installed: pip install playwright")
uvicorn = pytest.importorskip("uvicorn")

CHROMIUM = os.environ.get("RADNUC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 20_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A seeded service on 127.0.0.1 (uvicorn in a thread): ``(base_url, seeded)``."""
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('web') / 'radnuc.db'}")
    seeded = seed(db)
    seeded.settings = web_settings_for(tmp_path_factory.mktemp("web-settings"))
    app = create_app(seeded.settings, database=db)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", seeded
    srv.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM}: install Debian's package (apt-get install -y chromium)")
    pw = playwright_api.sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # pragma: no cover - depends on the machine
        pw.stop()
        pytest.skip(f"chromium at {CHROMIUM} cannot be launched: {str(exc).splitlines()[0]}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB",
                                  base_url=server[0], accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    p = context.new_page()
    yield p
    context.close()


def shot(page, name: str) -> None:
    target = os.environ.get("RADNUC_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"console_{name}.png"), full_page=True)


def log_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard$"))


def log_out(page) -> None:
    page.click("form[action='/logout'] button")
    page.wait_for_url(re.compile(r".*/login$"))


def test_log_in_and_alarms_arrive_without_reload(page, server):
    base, seeded = server
    page.goto("/dashboard")
    page.wait_for_url(re.compile(r".*/login\?next=/dashboard$"))
    shot(page, "login")
    page.fill("input[name=username]", "customs_officer")
    page.fill("input[name=password]", "not the password at all")
    page.click("form[action='/login'] button[type=submit]")
    assert page.locator(".alert").inner_text() == "Incorrect username or password."
    log_in(page, "customs_officer")
    assert page.locator(f"[data-alarm='{seeded.alarm['portal']}'] .cat-industrial").count() == 1
    assert page.locator(".lane").count() == 3
    # a new occupancy alarms on another lane: it appears by htmx polling, without reloading the page
    page.evaluate("window.__marker = 'same page'")
    with transaction(seeded.db.sessions) as session:
        _, alarm = _ingest(session, seeded.actor["customs_officer"], seeded.agency["customs"],
                           DATA / "radiacode" / "Ba133_Eu152_Ba133_a+Eu152_b.xml", site="Huu Nghi", lane="4",
                           outcome={"alarm": True, "category": "SNM", "score": 9.4, "method": "gross-count",
                                    "nuclides": [{"name": "U-235", "confidence": 0.71, "category": "SNM"}]})
    row = page.locator(f"[data-alarm='{alarm.id}']")
    row.wait_for(timeout=15_000)
    assert page.evaluate("window.__marker") == "same page"
    assert row.locator(".cat-snm").count() == 1
    assert "Isolate and call reachback" in row.inner_text()
    shot(page, "dashboard")


def test_alarm_page_spectrum_and_download(page, server):
    base, seeded = server
    log_in(page, "customs_officer")
    page.click(f"[data-alarm='{seeded.alarm['portal']}'] a")
    page.wait_for_selector("#spectrum[data-ready='1']")
    assert page.locator("#identification").inner_text().count("Co-60") == 1
    assert not page.locator("#profile-wrap").is_hidden()
    page.locator("#spectrum").scroll_into_view_if_needed()
    box = page.locator("#spectrum").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    assert "keV" in page.locator("#plot-cursor").inner_text()
    page.click("#plot-log")
    assert page.get_attribute("#plot-log", "aria-pressed") == "false"
    page.click("#plot-log")
    # drag to zoom, then reset
    box = page.locator("#spectrum").bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 100)
    page.mouse.up()
    assert page.evaluate("window.radnucPlot.hi - window.radnucPlot.lo") < page.evaluate(
        "window.radnucPlot.x[window.radnucPlot.x.length - 1] - window.radnucPlot.x[0]")
    page.click("#plot-reset")
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] / 2)
    shot(page, "alarm")
    with page.expect_download() as info:
        page.click("#download-original")
    assert Path(info.value.path()).read_bytes() == (DATA / "portal" / "passthrough.n42").read_bytes()


def test_alarm_to_reachback_to_incident(page, server):
    base, seeded = server
    alarm_id = seeded.alarm["handheld"]
    log_in(page, "customs_officer")
    page.goto(f"/alarms/{alarm_id}")
    page.fill("#reachback-form input[name=question]", "Co-60 and Cs-137 in a scrap container: licensed?")
    page.click("#reachback-form button[type=submit]")
    page.wait_for_selector(".status.st-reachback")
    log_out(page)

    log_in(page, "regulator_expert")
    page.click("nav >> text=Reachback")
    card = page.locator(".card.reachback", has_text="scrap container")
    clock = card.locator(".clock")
    first = clock.inner_text()
    assert re.match(r"^(29|30):\d\d$", first), first
    page.wait_for_timeout(1200)
    assert clock.inner_text() != first  # the 30-minute clock counts down
    shot(page, "reachback")
    card.locator("select[name=verdict]").select_option("incident")
    card.locator("input[name=nuclides]").fill("Co-60, Cs-137")
    card.locator("textarea[name=notes]").fill("Two unlicensed industrial sources; open a case.")
    card.locator("button[type=submit]").click()
    page.wait_for_selector(".card.reachback .status.st-answered")
    log_out(page)

    log_in(page, "customs_officer")
    page.goto(f"/alarms/{alarm_id}")
    assert "Two unlicensed industrial sources" in page.locator(".assessment").inner_text()
    page.fill("#incident-form input[name=title]", "Unlicensed Co-60 and Cs-137 sources in scrap")
    page.fill("#incident-form input[name=latitude]", "21.97")
    page.fill("#incident-form input[name=longitude]", "106.70")
    page.click("#incident-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/[0-9a-f-]+$"))
    panels = page.locator("main .card")
    assert panels.count() >= 3
    for i in range(panels.count()):
        assert panels.nth(i).locator(".tlp").count() >= 1  # TLP marking on every panel
    assert "Reachback answered" in page.locator(".timeline").inner_text()
    page.wait_for_selector("#map[data-ready='1'] .leaflet-interactive")  # Leaflet, no tile server
    # evidence: collect, then hand over to a colleague (signed custody records)
    page.fill("#evidence-form input[name=description]", "Lead container, two sealed sources")
    page.fill("#evidence-form input[name=seal_numbers]", "VN-HN-0042")
    page.click("#evidence-form button[type=submit]")
    item = page.locator(".evidence", has_text="Lead container, two sealed sources")
    item.locator(".transfer-form select[name=to_user_id]").select_option(label="customs_coordinator (coordinator)")
    item.locator(".transfer-form input[name=place]").fill("Huu Nghi evidence room")
    item.locator(".transfer-form input[name=reason]").fill("storage pending laboratory analysis")
    item.locator(".transfer-form button[type=submit]").click()
    item = page.locator(".evidence", has_text="Lead container, two sealed sources")
    item.locator("table.custody tbody tr").nth(1).wait_for()
    assert item.locator("table.custody tbody tr").count() == 2
    assert "chain intact" in item.inner_text() and "customs_coordinator" in item.inner_text()
    assert item.locator(".transfer-form").count() == 0  # no longer the holder
    shot(page, "incident")


def test_statistics_page(page, server):
    log_in(page, "customs_coordinator")
    page.click("nav >> text=Statistics")
    page.wait_for_selector(".kpis")
    assert page.locator(".bars").count() == 3
    with page.expect_download() as info:
        page.click("#csv")
    assert Path(info.value.path()).read_text().startswith("alarm_id,")
    shot(page, "stats")


def test_language_switch_to_vietnamese(page, server):
    log_in(page, "customs_officer")
    page.click(".langswitch button[data-lang=vi]")
    page.wait_for_selector("html[lang=vi]")
    assert page.locator("h1").first.inner_text() == "Làn kiểm soát và cảnh báo"
    shot(page, "dashboard_vi")
    page.goto("/reachback")
    assert "Hàng đợi hỗ trợ chuyên gia" in page.locator("h1").inner_text()  # the choice sticks
    page.click(".langswitch button[data-lang=en]")
    page.wait_for_selector("html[lang=en]")


def test_police_user_cannot_open_a_customs_alarm(page, server):
    base, seeded = server
    log_in(page, "police_investigator")
    assert page.locator(f"[data-alarm='{seeded.alarm['portal']}']").count() == 0
    response = page.goto(f"/alarms/{seeded.alarm['portal']}")
    assert response.status == 404
    assert "Not found" in page.locator(".alert").inner_text()
    response = page.goto(f"/measurements/{seeded.measurement['portal']}/file")
    assert response.status == 404


def test_before_log_in_the_page_follows_accept_language(browser, server):
    context = browser.new_context(locale="vi-VN", base_url=server[0], extra_http_headers={"Accept-Language": "vi"})
    try:
        p = context.new_page()
        p.goto("/login")
        assert p.locator("h1").inner_text() == "Đăng nhập"
    finally:
        context.close()



def test_fitted_components_in_the_spectrum_plot(page, server):
    base, seeded = server
    log_in(page, "customs_officer")
    page.goto(f"/alarms/{seeded.alarm['handheld']}")
    page.wait_for_selector("#spectrum[data-ready='1']", timeout=60_000)  # first fit builds the templates
    names = page.get_attribute("#spectrum", "data-components").split("|")
    assert names[0] == "background (fitted)" and any(n.startswith("Cs-137") for n in names), names
    summary = page.locator("#fit-summary")
    assert summary.is_visible() and "Cs-137" in summary.inner_text()
    assert page.evaluate("window.radnucPlot.residual.filter(function (r) { return r !== null; }).length") > 100
    shot(page, "alarm_fit")
    page.click("#measurement-link")  # the measurement page has the same plot
    page.wait_for_url(re.compile(rf".*/measurements/{seeded.measurement['handheld']}$"))
    page.wait_for_selector("#spectrum[data-ready='1']")
    assert page.get_attribute("#spectrum", "data-components").split("|") == names


def _incident_for_sharing(seeded) -> str:
    from radnuc.platform.incidents import service as incidents

    fields = {"title": "Co-60 source in scrap metal", "incident_type": "unauthorized_possession",
              "nuclides": ["Co-60"], "country": "VN", "place": "Huu Nghi border gate", "latitude": 21.9712,
              "longitude": 106.7049, "tlp": "AMBER",
              "circumstances": "Driver Pham Minh Chau, plate 12C-345.67, phone 0912 345 678."}
    with transaction(seeded.db.sessions) as session:
        return incidents.create_incident(session=session, actor=seeded.actor["customs_coordinator"],
                                         fields=fields).id


def test_share_dialog_preview_refusal_and_export(page, server):
    from radnuc.sharing.partners import load_partners
    from radnuc.sharing.signing import verify_bundle

    base, seeded = server
    incident = _incident_for_sharing(seeded)
    log_in(page, "customs_coordinator")
    page.goto(f"/incidents/{incident}")
    assert not page.locator("#share-dialog").is_visible()
    page.click("#share-open")
    dialog = page.locator("#share-dialog")
    assert dialog.is_visible()
    # a partner of low trust: refused, clearly, and nothing of the record is shown
    page.select_option("#share-partner", "NEIGHBOUR")
    page.wait_for_selector("#share-result[data-allowed='no']")
    assert "Refused by the TLP rules" in page.locator("#share-verdict").inner_text()
    assert page.locator("#share-export").count() == 0 and "Huu Nghi" not in dialog.inner_text()
    # the ITDB: exactly what would leave, redacted
    page.select_option("#share-partner", "IAEA-ITDB")
    page.wait_for_selector("#share-result[data-allowed='yes']")
    record = page.locator(".share-item.allowed pre.share-record").first.inner_text()
    assert "[redacted:name]" in record and "[redacted:phone]" in record and "Pham" not in record
    assert '"latitude": 21.75' in record and "21.9712" not in record
    shot(page, "share")
    with page.expect_download() as info:
        page.click("#share-export")
    data = Path(info.value.path()).read_bytes()
    envelope = verify_bundle(data, load_partners(seeded.settings.partners_file).trusted_keys())
    assert envelope["signer"] == "Customs VN" and b"Pham" not in data
    page.click("#share-close")
    assert not dialog.is_visible()


def test_share_dialog_for_an_officer_previews_only(page, server):
    base, seeded = server
    incident = _incident_for_sharing(seeded)
    log_in(page, "customs_officer")
    page.goto(f"/incidents/{incident}")
    page.click("#share-open")
    page.select_option("#share-partner", "IAEA-ITDB")
    page.wait_for_selector("#share-result[data-allowed='yes']")
    assert page.locator("#share-export").count() == 0
    assert "Only coordinators and administrators" in page.locator("#share-dialog").inner_text()


def test_language_preference_follows_the_user_to_a_new_browser(browser, server):
    """Chosen once (stored on the user), the language holds in another browser whose Accept-Language is English."""
    base, seeded = server
    first = browser.new_context(locale="en-GB", base_url=base)
    try:
        p = first.new_page()
        log_in(p, "regulator_expert")
        p.click(".langswitch button[data-lang=vi]")
        p.wait_for_selector("html[lang=vi]")
    finally:
        first.close()
    second = browser.new_context(locale="en-GB", base_url=base, extra_http_headers={"Accept-Language": "en"})
    try:
        p = second.new_page()
        p.goto("/login")
        assert p.locator("h1").inner_text() == "Log in"        # before log-in: the browser's language
        log_in(p, "regulator_expert")
        assert p.locator("html").get_attribute("lang") == "vi"  # after log-in: the user's choice
        assert p.locator("h1").first.inner_text() == "Làn kiểm soát và cảnh báo"
        p.click(".langswitch button[data-lang=auto]")             # back to following the browser
        p.wait_for_selector("html[lang=en]")
    finally:
        second.close()
