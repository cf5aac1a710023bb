"""Runs the real Worker in workerd (`wrangler dev`, started by the project's launcher
scripts/wrangler-dev.mjs through scripts/wrangler_dev.py) with a fresh on-disk KV for the session.

Fixtures:
- `worker`: the running Worker (`.url`, `.admin_token`, `.credentials_key`, `.restart()`,
  `.new_credentials(project_id)` → `{"access_key","secret_key","project_id"}` from the admin API).
- `project`: a fresh project id with a token (`.id`, `.token`, `.url` = `{worker}/v1/{id}`).
- `api`: a small requests wrapper: `api.get(path, token=..., **kw)` etc. with JSON helpers.
"""
from __future__ import annotations

import secrets
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from wrangler_dev import WranglerDev  # noqa: E402  (scripts/wrangler-dev.mjs, the one launcher)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Worker:
    """One `wrangler dev` process serving the Worker on a free port, KV persisted in `state_dir`."""

    def __init__(self, state_dir: Path, admin_token: str, credentials_key: str | None = None,
                 extra_vars: dict[str, str] | None = None):
        self.state_dir = state_dir
        self.extra_vars = extra_vars or {}
        self.admin_token = admin_token
        self.credentials_key = credentials_key or secrets.token_hex(32)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: WranglerDev | None = None
        self.log_path = state_dir.parent / f"wrangler-{self.port}.log"

    def start(self) -> None:
        self.proc = WranglerDev.start(
            config=ROOT / "wrangler.toml", port=self.port, persist_to=self.state_dir, log=self.log_path,
            vars={"ADMIN_TOKEN": self.admin_token, "EXPOSE_KV_OPS": "true",
                  "CREDENTIALS_KEY": self.credentials_key, "PUBLIC_URL": self.url, **self.extra_vars})

    def stop(self) -> None:
        if self.proc:
            self.proc.stop()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def new_project(self) -> "Project":
        pid = secrets.token_hex(16)
        r = requests.post(f"{self.url}/admin/v1/projects/{pid}/tokens",
                          headers={"Authorization": f"Bearer {self.admin_token}"}, timeout=30)
        assert r.status_code == 201, r.text
        body = r.json()
        return Project(id=pid, token=body["token"], token_id=body["id"], url=f"{self.url}/v1/{pid}")

    def new_credentials(self, project_id: str) -> dict:
        r = requests.post(f"{self.url}/admin/v1/projects/{project_id}/credentials",
                          headers={"Authorization": f"Bearer {self.admin_token}"}, timeout=30)
        assert r.status_code == 201, r.text
        return r.json()


@dataclass
class Project:
    id: str
    token: str
    token_id: str
    url: str


@pytest.fixture(scope="session")
def workdir():
    d = Path(tempfile.mkdtemp(prefix="deploy-edge-e2e-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def worker(workdir):
    w = Worker(workdir / "state", admin_token=secrets.token_hex(32))
    w.start()
    yield w
    w.stop()


@pytest.fixture
def project(worker) -> Project:
    return worker.new_project()


class Api:
    """requests with the JSON defaults python-heatclient uses."""

    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, token: str | None = None, headers: dict | None = None, **kw):
        h = {"Accept": "application/json"}
        if token:
            h["X-Auth-Token"] = token
        if "json" in kw or "data" in kw:
            h.setdefault("Content-Type", "application/json")
        h.update(headers or {})
        url = path if path.startswith("http") else f"{self.base}{path}"
        return requests.request(method, url, headers=h, timeout=60, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def put(self, path, **kw):
        return self.call("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture(scope="session")
def api(worker) -> Api:
    return Api(worker.url)
