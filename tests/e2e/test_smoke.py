"""The smallest end-to-end check: the Worker boots in workerd and answers health and versions."""


def test_health_answers_ok(api):
    r = api.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_versions_document_points_at_v1(api, worker):
    r = api.get("/v1")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["versions"][0]["links"][0]["href"].endswith("/v1/")
