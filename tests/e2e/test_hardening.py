"""The hostile requests of the hardening review, exactly, against the real Worker: none may give a
5xx, reach storage when it cannot name anything, or answer a method the route does not have."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
from datetime import timedelta

import pytest
import requests

from conftest import ROOT
from huawei_signer import Signed, sdk_date

CODEARTS_CALLS = [
    ("POST", "/v1/applications/list", {"project_id": "{pid}"}),
    ("GET", "/v1/applications/exist", None),
    ("GET", "/v1/applications/{app}/info", None),
    ("POST", "/v1/applications", {"project_id": "{pid}", "name": "x"}),
    ("PUT", "/v1/applications", {"id": "{app}"}),
    ("DELETE", "/v1/applications/{app}", None),
    ("POST", "/v2/applications/batch-delete", {"ids": ["{app}"]}),
    ("POST", "/v1/resources/host-groups", {"project_id": "{pid}"}),
    ("POST", "/v2/tasks/{app}/start", {}),
    ("GET", "/v2/tasks/{app}/state", None),
    ("PUT", "/v2/tasks/{app}/records/{app}/stop", {}),
    ("GET", "/v2/{pid}/task/{app}/history", None),
    ("GET", "/v2/history/tasks/{app}/params", None),
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
        path = path.format(app=app, pid=project.id)
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


BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def never_issued_key() -> str:
    """A random key of the issued form (`V` and 19 base32 characters): its seal cannot match."""
    return "V" + "".join(secrets.choice(BASE32) for _ in range(19))


def test_a_never_issued_access_key_is_refused_with_no_kv_read_the_first_time_and_every_time(
        worker, project):
    body = {"project_id": project.id}
    for _ in range(3):
        for ak in [never_issued_key(), never_issued_key()]:
            r = Signed(worker.url, ak, "0" * 40, project.id).call("POST", "/v1/applications/list", body=body)
            assert (r.status_code, r.json()["error_code"]) == (401, "DEV.00000002"), r.text
            assert kv_ops(r) == 0, f"{ak}: the key's seal is checked before any lookup"
    # The same key tried again: still no read (nothing was cached, nothing needed to be).
    same = never_issued_key()
    for _ in range(3):
        r = Signed(worker.url, same, "0" * 40, project.id).call("POST", "/v1/applications/list", body=body)
        assert (r.status_code, kv_ops(r)) == (401, 0)


def test_a_revoked_key_costs_the_kv_reads_a_known_key_with_a_wrong_secret_costs(worker, project):
    admin = {"Authorization": f"Bearer {worker.admin_token}"}
    known = worker.new_credentials(project.id)
    revoked = worker.new_credentials(project.id)
    r = requests.delete(f"{worker.url}/admin/v1/projects/{project.id}/credentials/{revoked['access_key']}",
                        headers=admin, timeout=30)
    assert r.status_code == 204
    body = {"project_id": project.id}
    reads = {}
    for name, ak in [("known", known["access_key"]), ("revoked", revoked["access_key"])]:
        got = []
        for _ in range(3):
            r = Signed(worker.url, ak, "0" * 40, project.id).call("POST", "/v1/applications/list", body=body)
            assert (r.status_code, r.json()["error_code"]) == (401, "DEV.00000002"), r.text
            got.append(kv_ops(r))
        reads[name] = got
    # Both are looked up once (the revoke already dropped the isolate's copy), then cached alike.
    assert reads["known"] == reads["revoked"], reads
    assert reads["known"][1:] == [0, 0], reads


def test_an_access_key_issued_before_keys_were_sealed_still_authenticates(worker, project):
    """An unsealed key (20 upper-case hex digits) as the earlier version issued it: its record
    written to the Worker's local KV, its secret derived as then."""
    ak = secrets.token_hex(10).upper()
    record = json.dumps({"project_id": project.id, "created_ms": 1_700_000_000_000})
    env = dict(os.environ, WRANGLER_SEND_METRICS="false", NO_COLOR="1")
    done = subprocess.run(
        ["npx", "wrangler", "kv", "key", "put", f"cred/{ak}", record, "--binding", "DEPLOY_KV", "--local",
         "--persist-to", str(worker.state_dir), "--metadata", json.dumps({"p": project.id, "ms": 1})],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sk = hmac.new(worker.credentials_key.encode(), ak.encode(), hashlib.sha256).hexdigest()[:40]
    r = Signed(worker.url, ak, sk, project.id).call("POST", "/v1/applications/list",
                                                    body={"project_id": project.id, "page": 1, "size": 10})
    assert r.status_code == 200, r.text
    assert r.json()["total_num"] == 0
