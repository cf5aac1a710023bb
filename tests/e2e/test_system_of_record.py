"""A project's records live in its Durable Object's SQLite; KV is the copy the edge reads.

Against a Worker of its own (`wrangler dev`, with `FAULT_INJECTION=on`, the test-only switch that
lets `PUT /_test/projects/{id}/faults` make a project's object fail its KV writes):

- KV writes that fail lose nothing: every answered write is in SQLite (the object decides on it),
  and KV holds the newest record once the object's alarm has retried.
- The object restarted (wrangler dev stopped and started) between its SQLite write and its KV
  publish publishes after the restart, with no request to it.
- A batch under failing KV is all in SQLite at once and all in KV afterwards; a batch that fails
  writes nothing in either.
- KV changed behind the object's back between two runs (keys dropped, older values put back with
  `wrangler kv key … --local`): every checked write is still decided by the object's records.
- A project whose records are in KV only (as the KV-only version wrote them) is imported by its
  object the first time it starts, and is served and checked as before.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import ROOT, Worker

TEMPLATE = "ec939bdf63194aca9fad45b3ba05643e"


@pytest.fixture(scope="module")
def own_worker(workdir):
    """A Worker of this module's, with fault injection on."""
    w = Worker(workdir / "state-system-of-record", admin_token=secrets.token_hex(32),
               extra_vars={"FAULT_INJECTION": "on"})
    w.start()
    yield w
    w.stop()


class Client:
    def __init__(self, worker: Worker, project: str, token: str):
        self.worker, self.project, self.token = worker, project, token

    def heat(self, method: str, path: str, **kw) -> requests.Response:
        headers = {"X-Auth-Token": self.token, **kw.pop("headers", {})}
        return requests.request(method, f"{self.worker.url}/v1/{self.project}{path}",
                                headers=headers, timeout=60, **kw)

    def codearts(self, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, f"{self.worker.url}{path}", timeout=60,
                                headers={"X-Auth-Token": self.token}, **kw)

    def kv_writes(self, mode: str) -> None:
        r = requests.put(f"{self.worker.url}/_test/projects/{self.project}/faults",
                         headers={"Authorization": f"Bearer {self.worker.admin_token}"},
                         json={"kv_writes": mode}, timeout=30)
        assert r.json() == {"kv_writes": mode}, r.text

    def config(self, name: str = "c") -> str:
        r = self.heat("POST", "/software_configs", json={"name": name, "config": "#!/bin/sh"})
        assert r.status_code == 200, r.text
        return r.json()["software_config"]["id"]

    def deploy(self, config: str, server: str = "web-1") -> dict:
        r = self.heat("POST", "/software_deployments", json={"config_id": config, "server_id": server})
        assert r.status_code == 200, r.text
        return r.json()["software_deployment"]

    def shown(self, deployment: str) -> requests.Response:
        """A deployment as the edge reads it: from KV."""
        return self.heat("GET", f"/software_deployments/{deployment}")

    def app(self, name: str) -> requests.Response:
        return self.codearts("POST", "/v1/applications", json={
            "project_id": self.project, "name": name, "is_draft": False, "create_type": "template",
            "arrange_infos": [{"template_id": TEMPLATE}]})


def client(worker: Worker) -> Client:
    p = worker.new_project()
    return Client(worker, p.id, p.token)


def eventually(check, seconds: float = 20.0):
    """Polls `check` until it returns a truthy value (returned) or `seconds` pass (then fails)."""
    deadline = time.time() + seconds
    while True:
        got = check()
        if got or time.time() > deadline:
            assert got, "not within the time allowed"
            return got
        time.sleep(0.25)


def wrangler_kv(worker: Worker, *args: str) -> str:
    """`wrangler kv key …` on the Worker's local KV (changes are made while it is stopped)."""
    cmd = ["npx", "wrangler", "kv", "key", *args, "--binding", "DEPLOY_KV", "--local",
           "--persist-to", str(worker.state_dir)]
    env = dict(os.environ, WRANGLER_SEND_METRICS="false", NO_COLOR="1")
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def deployment_key(project: str, deployment_id: str) -> str:
    return f"p/{project}/dep/{deployment_id[:8]}/{deployment_id}"


def test_failed_kv_writes_lose_nothing_and_the_alarm_publishes_the_newest_record(own_worker):
    c = client(own_worker)
    d = c.deploy(c.config())
    c.kv_writes("fail")
    try:
        for reason in ["first", "second"]:
            r = c.heat("PUT", f"/software_deployments/{d['id']}", json={"status_reason": reason})
            assert r.status_code == 200, r.text
        # Decided on SQLite: the stale KV copy changes no decision (the ETag is SQLite's).
        stale = c.shown(d["id"])
        assert stale.json()["software_deployment"]["status_reason"] == "", "KV is behind"
        r = c.heat("PUT", f"/software_deployments/{d['id']}", headers={"If-Match": stale.headers["etag"]},
                   json={"status_reason": "from a stale read"})
        assert r.status_code == 412, r.text
    finally:
        c.kv_writes("ok")
    # The alarm retries: KV gets the newest record, never an older one after it.
    eventually(lambda: c.shown(d["id"]).json()["software_deployment"]["status_reason"] == "second")
    time.sleep(2)
    assert c.shown(d["id"]).json()["software_deployment"]["status_reason"] == "second"


def test_a_batch_under_failing_kv_is_all_in_sqlite_and_then_all_in_kv(own_worker):
    c = client(own_worker)
    config = c.config()
    c.kv_writes("fail")
    try:
        r = c.heat("POST", "/software_deployments",
                   json=[{"config_id": config, "server_id": f"batch-{i}"} for i in range(3)])
        assert r.status_code == 200, r.text
        ids = [d["id"] for d in r.json()["software_deployments"]]
        assert all(c.shown(i).status_code == 404 for i in ids), "none in KV yet"
        # All of it is in SQLite: the config cannot be deleted, each deployment can be updated.
        assert c.heat("DELETE", f"/software_configs/{config}").status_code == 409
        for i in ids:
            assert c.heat("PUT", f"/software_deployments/{i}", json={"status": "FAILED"}).status_code == 200
    finally:
        c.kv_writes("ok")
    eventually(lambda: all(c.shown(i).status_code == 200 for i in ids))
    assert all(c.shown(i).json()["software_deployment"]["status"] == "FAILED" for i in ids)


def test_a_batch_that_fails_under_failing_kv_writes_nothing_anywhere(own_worker):
    c = client(own_worker)
    config = c.config("batch-config")
    c.kv_writes("fail")
    try:
        r = c.heat("POST", "/software_deployments",
                   json=[{"config_id": config, "server_id": "half-1"},
                         {"config_id": "00000000-0000-4000-8000-000000000000", "server_id": "half-2"}])
        assert r.status_code == 404, r.text
    finally:
        c.kv_writes("ok")
    # No deployment of the config in SQLite (it can be deleted) nor in KV (the edge lists none).
    listed = c.heat("GET", "/software_deployments", params={"server_id": "half-1"})
    assert listed.json()["software_deployments"] == []
    assert c.heat("DELETE", f"/software_configs/{config}").status_code == 204


def test_an_object_restarted_before_it_published_publishes_after_the_restart(own_worker):
    c = client(own_worker)
    d = c.deploy(c.config())
    c.kv_writes("fail")
    r = c.heat("PUT", f"/software_deployments/{d['id']}", json={"status": "FAILED", "status_reason": "kept"})
    assert r.status_code == 200, r.text
    assert c.shown(d["id"]).json()["software_deployment"]["status"] == "COMPLETE", "not in KV yet"
    # Stopped between its SQLite write and its KV publish; started again, with no fault (the
    # switch lives in the old instance's memory). No request goes to the object: its alarm does it.
    own_worker.restart()
    eventually(lambda: c.shown(d["id"]).json()["software_deployment"]["status_reason"] == "kept")


def test_kv_changed_behind_the_objects_back_changes_no_decision(own_worker):
    c = client(own_worker)
    config = c.config("in-use")
    kept = c.deploy(config, "web-kept")
    dropped = c.deploy(config, "web-dropped")
    deleted = c.deploy(c.config("other"), "web-deleted")
    deleted_record = wrangler_kv(own_worker, "get", deployment_key(c.project, deleted["id"]))
    assert c.heat("DELETE", f"/software_deployments/{deleted['id']}").status_code == 204
    older_record = wrangler_kv(own_worker, "get", deployment_key(c.project, kept["id"]))
    r = c.heat("PUT", f"/software_deployments/{kept['id']}", json={"status_reason": "current"})
    current_etag = r.headers["etag"]
    assert c.app("taken").status_code == 200
    own_worker.stop()
    try:
        # KV as production KV may show it: a name gone, an older record back, a deleted one back,
        # the only record that uses a config gone.
        wrangler_kv(own_worker, "delete", f"p/{c.project}/app-name/taken")
        wrangler_kv(own_worker, "put", deployment_key(c.project, kept["id"]), older_record)
        wrangler_kv(own_worker, "put", deployment_key(c.project, deleted["id"]), deleted_record)
        wrangler_kv(own_worker, "delete", deployment_key(c.project, dropped["id"]))
    finally:
        own_worker.start()
    assert c.shown(kept["id"]).json()["software_deployment"]["status_reason"] == "", "KV was changed"
    taken = c.app("taken")
    assert (taken.status_code, taken.json()["error_code"]) == (400, "Deploy.00011001"), taken.text
    r = c.heat("PUT", f"/software_deployments/{kept['id']}", headers={"If-Match": current_etag},
               json={"status_reason": "still checked"})
    assert r.status_code == 200, r.text
    assert c.heat("PUT", f"/software_deployments/{deleted['id']}", json={"status": "FAILED"}).status_code == 404
    assert c.heat("DELETE", f"/software_configs/{config}").status_code == 409



def test_a_project_kept_in_kv_alone_is_imported_by_its_object_and_still_checked(workdir):
    """Records as the KV-only version left them: the same KV keys (what the object publishes is
    that layout), the agent's contact in KV, no use rows and no object database."""
    w = Worker(workdir / "state-import", admin_token=secrets.token_hex(32))
    w.start()
    try:
        c = client(w)
        config = c.config("kept")
        d = c.deploy(config, "web-1")
        gone = c.deploy(config, "web-2")
        assert c.heat("DELETE", f"/software_deployments/{gone['id']}").status_code == 204
        assert c.heat("POST", "/servers/web-1/agent").status_code == 201
        assert c.app("imported").status_code == 200
        etag = c.shown(d["id"]).headers["etag"]
        w.stop()
        # No object database, as before objects kept one; the agent's last poll in KV.
        for f in (w.state_dir / "v3" / "do").rglob("*"):
            if f.is_file():
                f.unlink()
        server_ref = hashlib.sha256(b"web-1").hexdigest()[:32]
        seen_ms = 1_700_000_000_000
        wrangler_kv(w, "put", f"p/{c.project}/seen/{server_ref}", json.dumps({"ms": seen_ms}))
        w.start()
        # Every record readable at the edge, as before.
        assert c.shown(d["id"]).status_code == 200
        assert c.heat("GET", f"/software_configs/{config}").status_code == 200
        # The object imports on its first request: the contact came with the records.
        status = c.heat("GET", "/servers/web-1/agent").json()
        assert status["metadata_url_issued"] is True
        assert status["last_poll_time"] == "2023-11-14T22:13:20Z", status
        # Every checked write still checked, on the imported records.
        taken = c.app("imported")
        assert (taken.status_code, taken.json()["error_code"]) == (400, "Deploy.00011001")
        assert c.heat("DELETE", f"/software_configs/{config}").status_code == 409
        assert c.heat("PUT", f"/software_deployments/{gone['id']}", json={}).status_code == 404
        r = c.heat("PUT", f"/software_deployments/{d['id']}", headers={"If-Match": etag},
                   json={"status_reason": "after the import"})
        assert r.status_code == 200, r.text
        assert c.heat("PUT", f"/software_deployments/{d['id']}", headers={"If-Match": etag},
                      json={}).status_code == 412
    finally:
        w.stop()


def test_fault_injection_is_off_unless_the_configuration_turns_it_on(worker, own_worker):
    p = worker.new_project()
    for w, project, expected in [(worker, p.id, 404), (own_worker, client(own_worker).project, 200)]:
        r = requests.put(f"{w.url}/_test/projects/{project}/faults",
                         headers={"Authorization": f"Bearer {w.admin_token}"},
                         json={"kv_writes": "ok"}, timeout=30)
        assert r.status_code == expected, (w.url, r.text)
    # Even where it is on, only the admin token may use it.
    r = requests.put(f"{own_worker.url}/_test/projects/{p.id}/faults", json={"kv_writes": "fail"},
                     headers={"Authorization": "Bearer not-the-admin"}, timeout=30)
    assert r.status_code == 404
