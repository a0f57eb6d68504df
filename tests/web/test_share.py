"""Console (TestClient): the share dialog, the per-user language preference and the fitted spectrum components."""

from __future__ import annotations

import json

from sqlalchemy import select

from radnuc.platform.audit.models import AuditEntry
from radnuc.platform.db import transaction
from radnuc.platform.incidents import service as incidents
from radnuc.platform.users.models import User
from radnuc.sharing.partners import load_partners
from radnuc.sharing.signing import verify_bundle
from radnuc.web import i18n
from tests.web.test_pages import _csrf, logged_in, login


def _incident(seeded, tlp: str = "AMBER") -> str:
    fields = {"title": "Co-60 source in scrap metal", "incident_type": "unauthorized_possession",
              "nuclides": ["Co-60"], "country": "VN", "place": "Huu Nghi border gate", "latitude": 21.9712,
              "longitude": 106.7049, "circumstances": "Driver Pham Minh Chau, plate 12C-345.67, phone 0912 345 678.",
              "tlp": tlp}
    with transaction(seeded.db.sessions) as session:
        return incidents.create_incident(session=session, actor=seeded.actor["customs_officer"], fields=fields).id


def _actions(seeded, action: str) -> list[AuditEntry]:
    with transaction(seeded.db.read_sessions) as session:
        rows = session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()
        session.expunge_all()
    return list(rows)


def test_incident_page_has_the_share_dialog_with_the_partners(client, seeded):
    logged_in(client, "customs_officer")
    page = client.get(f"/incidents/{_incident(seeded)}").text
    assert 'id="share-dialog"' in page and 'id="share-open"' in page
    assert '<option value="IAEA-ITDB">' in page and '<option value="NEIGHBOUR">' in page
    page = client.get(f"/alarms/{seeded.alarm['handheld']}").text
    assert 'id="share-dialog"' in page  # on the alarm page too


def test_preview_shows_the_redacted_record_and_the_decision(client, seeded):
    logged_in(client, "customs_officer")
    incident = _incident(seeded)
    r = client.get(f"/share/incident/{incident}/preview", params={"partner": "IAEA-ITDB"})
    assert r.status_code == 200
    assert 'data-allowed="yes"' in r.text and "TLP:AMBER" in r.text
    assert "21.75" in r.text and "106.75" in r.text            # 0.5° grid
    assert "21.9712" not in r.text and "Pham" not in r.text and "0912" not in r.text
    assert "12C-345.67" not in r.text
    assert 'id="share-export"' not in r.text                   # an officer previews, does not export
    assert "Only coordinators and administrators" in r.text
    r = client.get(f"/share/incident/{incident}/preview", params={"partner": "NEIGHBOUR"})
    assert 'data-allowed="no"' in r.text and "above the highest label" in r.text
    assert "Huu Nghi" not in r.text                            # a refused record shows nothing of itself


def test_preview_of_what_the_agency_may_not_see_is_not_found(client, seeded):
    incident = _incident(seeded)
    logged_in(client, "police_investigator")
    r = client.get(f"/share/incident/{incident}/preview", params={"partner": "IAEA-ITDB"})
    assert "Not found" in r.text and "Co-60 source" not in r.text


def test_coordinator_exports_a_signed_bundle_and_it_is_audited(client, seeded, web_settings):
    incident = _incident(seeded)
    token = logged_in(client, "customs_coordinator")
    preview = client.get(f"/share/incident/{incident}/preview", params={"partner": "IAEA-ITDB"}).text
    assert 'id="share-export"' in preview and 'id="share-itdb-pdf"' in preview
    r = client.post(f"/share/incident/{incident}/export", data={"partner": "IAEA-ITDB", "csrf": token})
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    envelope = verify_bundle(r.content, load_partners(web_settings.partners_file).trusted_keys())
    assert envelope["signer"] == "Customs VN"
    assert b"Pham" not in r.content and b"21.9712" not in r.content
    entries = _actions(seeded, "share.exported")
    assert [(e.entity, e.entity_id, e.after["partner"]) for e in entries] == [("incident", incident, "IAEA-ITDB")]
    # a refusal: 409 page with the reason, audited
    r = client.post(f"/share/incident/{incident}/export", data={"partner": "NEIGHBOUR", "csrf": token})
    assert r.status_code == 409 and "Export refused" in r.text and "above the highest label" in r.text
    assert len(_actions(seeded, "share.refused")) == 1
    # without the CSRF token nothing happens
    r = client.post(f"/share/incident/{incident}/export", data={"partner": "IAEA-ITDB", "csrf": "forged"})
    assert r.status_code == 403 and len(_actions(seeded, "share.exported")) == 1
    r = client.post(f"/share/incident/{incident}/itdb", data={"partner": "IAEA-ITDB", "format": "pdf",
                                                              "csrf": token})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_officer_cannot_export_even_by_posting(client, seeded):
    incident = _incident(seeded)
    token = logged_in(client, "customs_officer")
    r = client.post(f"/share/incident/{incident}/export", data={"partner": "IAEA-ITDB", "csrf": token})
    assert r.status_code == 403 and _actions(seeded, "share.exported") == []


def _language(seeded, username: str) -> str | None:
    with transaction(seeded.db.read_sessions) as session:
        return session.execute(select(User.language).where(User.username == username)).scalar_one()


def test_language_choice_is_stored_on_the_user_and_follows_them(client, seeded):
    assert i18n.LANGUAGES.keys() == set(__import__("radnuc.platform.users.service", fromlist=["x"]).LANGUAGES)
    token = logged_in(client, "customs_officer")
    assert _language(seeded, "customs_officer") is None
    r = client.post("/lang", data={"lang": "vi", "csrf": token, "next": "/dashboard"}, follow_redirects=False)
    assert r.status_code == 303 and _language(seeded, "customs_officer") == "vi"
    # a new session in a browser that asks for English (no cookie): the stored choice wins
    client.post("/logout", data={"csrf": token})
    client.cookies.clear()
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert 'lang="en"' in page.text                              # before log-in: the browser decides
    r = client.post("/login", data={"username": "customs_officer", "password": "correct horse battery staple",
                                    "csrf": _csrf(page.text), "next": "/dashboard"},
                    headers={"Accept-Language": "en"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).text
    assert 'lang="vi"' in page and "Làn kiểm soát và cảnh báo" in page
    # "Auto" clears it: the browser decides again
    r = client.post("/lang", data={"lang": "auto", "csrf": _csrf(page), "next": "/dashboard"},
                    headers={"Accept-Language": "en"}, follow_redirects=False)
    assert r.status_code == 303 and _language(seeded, "customs_officer") is None
    page = client.get("/dashboard", headers={"Accept-Language": "en"}).text
    assert 'lang="en"' in page
    assert _actions(seeded, "user.language")[-1].after == {"language": None}


def test_language_api(client, seeded):
    login(client, "customs_officer")
    r = client.post("/api/v1/auth/token", data={"username": "customs_officer",
                                                "password": "correct horse battery staple"})
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = client.put("/api/v1/users/me/language", json={"language": "vi"}, headers=headers)
    assert r.status_code == 200 and r.json()["language"] == "vi"
    assert client.get("/api/v1/users/me", headers=headers).json()["language"] == "vi"
    assert client.put("/api/v1/users/me/language", json={"language": "fr"}, headers=headers).status_code == 422
    assert client.put("/api/v1/users/me/language", json={"language": None}, headers=headers).json()["language"] is None


def test_spectrum_json_carries_the_fitted_components(client, seeded):
    logged_in(client, "customs_officer")
    r = client.get(f"/alarms/{seeded.alarm['handheld']}/spectrum.json")
    assert r.status_code == 200
    data = r.json()
    names = [c["name"] for c in data["components"]]
    assert names[0] == "background (fitted)" and any(n.startswith("Cs-137") for n in names), names
    n = len(data["counts"])
    assert all(len(c["counts"]) == n for c in data["components"])
    assert len(data["fit_total"]) == n and len(data["residuals"]) == n
    # the total is background + sources wherever the fit is defined
    for i in range(0, n, 37):
        parts = [c["counts"][i] for c in data["components"]]
        if data["fit_total"][i] is not None:
            assert abs(sum(parts) - data["fit_total"][i]) < 0.01 * max(1.0, data["fit_total"][i])
    assert data["fit"]["nuclides"] and data["fit"]["detector"]
    # residuals are (data - fitted total) / sqrt(total) on the plotted channels, defined where the fit is
    defined = [i for i in range(n) if data["residuals"][i] is not None]
    assert len(defined) > n // 2
    for i in defined[::23]:
        total = data["fit_total"][i]
        expected = (data["counts"][i] - total) / max(total, 1.0) ** 0.5
        assert abs(data["residuals"][i] - expected) < 0.01 + 1e-3 * abs(expected)
    # a portal occupancy gets no identify fit (detect analyses it), only its data
    portal = client.get(f"/alarms/{seeded.alarm['portal']}/spectrum.json").json()
    assert portal["components"] == [] and portal["fit"] is None
    assert json.dumps(data)  # plain JSON (no NaN)


def test_measurement_page_plot_and_share_dialog(client, seeded):
    logged_in(client, "customs_officer")
    m = seeded.measurement["handheld"]
    page = client.get(f"/measurements/{m}")
    assert page.status_code == 200
    assert f'data-src="/measurements/{m}/spectrum.json"' in page.text and 'id="share-dialog"' in page.text
    assert f'href="/alarms/{seeded.alarm["handheld"]}"' in page.text
    data = client.get(f"/measurements/{m}/spectrum.json").json()
    assert data["components"][0]["name"] == "background (fitted)"
    r = client.get(f"/share/measurement/{m}/preview", params={"partner": "IAEA-ITDB"})
    assert 'data-allowed="yes"' in r.text and "Co60_Cs137" not in r.text   # itdb profile: no file name
    client.cookies.clear()
    logged_in(client, "police_investigator")
    assert client.get(f"/measurements/{m}").status_code == 404
    assert client.get(f"/measurements/{m}/spectrum.json").status_code == 404
