"""Every operation of the OpenAPI document answers malformed input with 4xx, never 500 (a small in-house fuzz;
Schemathesis runs the thorough version in CI)."""

from __future__ import annotations

import pytest

JUNK_BODIES = [None, [], {"title": None, "record_id": "\x00", "nuclides": [1]}, {"measurement_id": "x" * 5000},
               {"to_id": "\x00", "relation": "a", "record_type": "alarm", "agency_id": "\x00"}]
JUNK_IDS = ["00000000-0000-0000-0000-000000000000", "%00", "x" * 300]
JUNK_QUERY = [{"limit": 0}, {"limit": 10**12}, {"offset": -5}, {"offset": "a"}, {"status": "weird"},
              {"record_type": "x", "record_id": "\x00"}]


def _operations(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method in methods:
            yield method.upper(), path


def test_openapi_document_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/auth/token", "/api/v1/measurements", "/api/v1/measurements/{measurement_id}",
                 "/api/v1/alarms", "/api/v1/incidents", "/api/v1/incidents/{incident_id}"):
        assert path in spec["paths"]


def test_api_docs_page_is_served_where_the_demo_banner_points(client):
    from radnuc.platform.app import API

    page = client.get(f"{API}/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()


@pytest.mark.parametrize("user", [None, "a_admin"])
def test_no_operation_answers_500_to_junk(client, world, user):
    headers = world.headers(user) if user else {}
    for method, path in _operations(client):
        for junk_id in JUNK_IDS:
            url = path
            while "{" in url:
                start, end = url.index("{"), url.index("}")
                url = url[:start] + junk_id + url[end + 1:]
            for body in JUNK_BODIES:
                r = client.request(method, url, json=body, headers=headers)
                assert r.status_code < 500, (method, url, body, r.status_code, r.text)
                if r.status_code >= 400:
                    assert r.json()["detail"], (method, url, r.text)
            for query in JUNK_QUERY:
                r = client.request(method, url, params=query, headers=headers)
                assert r.status_code < 500, (method, url, query, r.status_code, r.text)


def test_form_endpoints_with_junk(client, world):
    for data in ({"username": "\x00", "password": "x"}, {"username": "a" * 10000, "password": "x"}, {}):
        assert client.post("/api/v1/auth/token", data=data).status_code in (401, 422)
    r = client.post("/api/v1/measurements", headers=world.headers("a_officer"),
                    files={"file": ("\x00name", b"<RadInstrumentData>\x00")}, data={"lane": "\x00"})
    assert 400 <= r.status_code < 500


def test_body_size_limit_applies_to_every_request(client, world, settings):
    r = client.post("/api/v1/incidents", headers=world.headers("a_officer") | {"content-type": "application/json"},
                    content=b"[" + b"1," * (settings.max_upload_bytes // 2 + 50_000) + b"1]")
    assert r.status_code == 413


def test_rate_limit(world):
    from fastapi.testclient import TestClient

    from radnuc.platform.app import create_app
    from radnuc.platform.settings import PlatformSettings

    app = create_app(PlatformSettings(database_url="unused", rate_limit_per_s=1, rate_burst=3), database=world.db)
    with TestClient(app) as c:
        codes = [c.get("/api/v1/alarms", headers=world.headers("a_officer")).status_code for _ in range(5)]
    assert codes[:3] == [200] * 3 and codes[-1] == 429
