"""The hostile requests of the hardening review, exactly, against the real Worker: none may give a
5xx, reach storage when it cannot name anything, or answer a method the route does not have."""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import requests

from huawei_signer import Signed, sdk_date

CODEARTS_CALLS = [
    ("POST", "/v1/applications/list", {"project_id": "{pid}"}),
    ("GET", "/v1/applications/exist", None),
    ("GET", "/v1/applications/{app}/info", None),
    ("POST", "/v1/applications", {"project_id": "{pid}", "name": "x"}),
    ("PUT", "/v1/applications", {"id": "{app}"}),
    ("DELETE", "/v1/applications/{app}", None),
    ("POST", "/v2/applications/batch-delete", {"ids": ["{app}"]}),
]


def kv_ops(r: requests.Response) -> int:
    return int(r.headers["x-kv-ops"])


@pytest.mark.parametrize("slashes", [169, 170, 400])
@pytest.mark.parametrize("stale", [False, True], ids=["fresh date", "stale date"])
def test_an_access_key_of_any_other_form_is_refused_as_bad_credentials_without_a_kv_read(
        worker, project, slashes, stale):
    """`Access=` of 170 slashes percent-encodes past KV's 512-byte key limit: once a 500."""
    date = sdk_date(timedelta(hours=-2) if stale else timedelta())
    signer = Signed(worker.url, "/" * slashes, "x" * 40, project.id)
    app = secrets.token_hex(16)
    for method, path, body in CODEARTS_CALLS:
        path = path.format(app=app)
        if isinstance(body, dict):
            body = {k: (v.format(pid=project.id, app=app) if isinstance(v, str) else v)
                    for k, v in body.items()}
        r = signer.call(method, path, body=body, date=date)
        assert r.status_code == 401, f"{method} {path}: {r.status_code} {r.text}"
        assert r.json()["error_code"] == "DEV.00000002", r.text
        assert kv_ops(r) == 0, f"{method} {path} read storage for a malformed access key"


def test_unknown_and_malformed_access_keys_get_the_same_refusal(worker, project):
    bodies = set()
    for ak in ["0123456789ABCDEF0123", "NOSUCHKEY", "/" * 170, "0123456789abcdef0123"]:
        r = Signed(worker.url, ak, "x" * 40, project.id).call(
            "POST", "/v1/applications/list", body={"project_id": project.id})
        assert r.status_code == 401
        body = r.json()
        bodies.add((body["error_code"], body["error_msg"]))
    assert bodies == {("DEV.00000002", "The credentials are not valid")}


@pytest.mark.parametrize("what,length", [("tokens", 475), ("tokens", 600), ("credentials", 508),
                                         ("credentials", 600)])
def test_over_long_admin_ids_are_404_without_a_kv_call(worker, api, what, length):
    pid = secrets.token_hex(16)
    r = api.delete(f"/admin/v1/projects/{pid}/{what}/{'x' * length}",
                   headers={"Authorization": f"Bearer {worker.admin_token}"})
    assert r.status_code == 404, r.text
    assert kv_ops(r) == 0


@pytest.mark.parametrize("method", ["PROPFIND", "MKCOL", "PATCH", "LOCK"])
def test_methods_a_route_does_not_have_are_405_with_allow_and_no_data(api, project, method):
    h = {"X-Auth-Token": project.token}
    for path, allow in [
        (f"/v1/{project.id}/software_configs", "GET, POST"),
        (f"/v1/{project.id}/software_deployments", "GET, POST"),
        (f"/v1/{project.id}/software_deployments/metadata/web-1", "GET"),
        ("/healthz", "GET, HEAD"),
        ("/v1", "GET, HEAD"),
        ("/v1/applications/list", "POST"),
    ]:
        r = requests.request(method, f"{api.base}{path}", headers=h, timeout=30)
        assert r.status_code == 405, f"{method} {path}: {r.status_code} {r.text[:200]}"
        assert r.headers["allow"] == allow
        assert "software_configs" not in r.json() and "versions" not in r.json()


def test_answers_that_carry_a_secret_are_never_cached_and_none_is_sniffed(worker, api, project):
    admin = {"Authorization": f"Bearer {worker.admin_token}"}
    pid = secrets.token_hex(16)
    for r in [
        api.post(f"/admin/v1/projects/{pid}/tokens", headers=admin),
        api.post(f"/admin/v1/projects/{pid}/credentials", headers=admin),
        api.post(f"/v1/{project.id}/servers/web-1/agent", token=project.token),
        api.get(f"/v1/{project.id}/software_configs", token=project.token),
        api.get("/nowhere"),
    ]:
        assert r.headers["cache-control"] == "no-store", r.url
        assert r.headers["x-content-type-options"] == "nosniff", r.url


def test_the_versions_links_come_from_public_url_not_from_host_or_forwarded_proto(worker, api):
    """The test Worker runs with PUBLIC_URL set to its own address (conftest.py)."""
    r = api.get("/v1", headers={"Host": "evil.example", "X-Forwarded-Proto": "javascript"})
    href = r.json()["versions"][0]["links"][0]["href"]
    assert href == f"{worker.url}/v1/", href


def test_a_body_with_a_key_given_twice_is_refused_naming_the_key(api, project):
    r = api.post(f"/v1/{project.id}/software_configs", token=project.token,
                 data='{"name": "a", "config": "echo safe", "config": "echo other"}')
    assert r.status_code == 400, r.text
    assert [(e["path"], e["code"]) for e in r.json()["error"]["errors"]] == [("/config", "duplicate")]
    assert api.get(f"/v1/{project.id}/software_configs", token=project.token).json() == \
        {"software_configs": []}


@pytest.mark.parametrize("tail", ["", "/signal/00000000-0000-4000-8000-000000000000"])
def test_an_agent_url_whose_project_id_cannot_exist_is_404_without_a_kv_read(api, tail):
    r = requests.request("PUT" if tail else "GET",
                         f"{api.base}/agent/v1/{'x' * 474}/{'a' * 32}/{'s' * 43}{tail}", json={}, timeout=30)
    assert r.status_code == 404, r.text
    assert kv_ops(r) == 0


def test_a_config_nested_too_deep_to_store_is_refused_and_the_server_keeps_working(api, project):
    h = {"token": project.token}
    ok_agent = api.post(f"/v1/{project.id}/servers/deep-1/agent", **h)
    assert ok_agent.status_code == 201
    deep = '{"name": "deep", "group": "script", "config": ' + "[" * 126 + "]" * 126 + "}"
    r = api.post(f"/v1/{project.id}/software_configs", data=deep, **h)
    assert r.status_code == 400, r.text
    assert [e["code"] for e in r.json()["error"]["errors"]] == ["too_long"]
    assert r.json()["error"]["errors"][0]["path"].startswith("/config/0/0/")
    assert requests.get(ok_agent.json()["metadata_url"], timeout=30).status_code == 200
    assert api.get(f"/v1/{project.id}/software_deployments/metadata/deep-1", **h).status_code == 200
