"""Runs the real Worker in workerd (`wrangler dev`) with a fresh on-disk KV for the test session.

Fixtures:
- `worker`: the running Worker (`.url`, `.admin_token`, `.credentials_key`, `.restart()`,
  `.new_credentials(project_id)` → `{"access_key","secret_key","project_id"}` from the admin API).
- `project`: a fresh project id with a token (`.id`, `.token`, `.url` = `{worker}/v1/{id}`).
- `api`: a small requests wrapper: `api.get(path, token=..., **kw)` etc. with JSON helpers.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


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
        self.proc: subprocess.Popen | None = None
        self.log_path = state_dir.parent / f"wrangler-{self.port}.log"

    def start(self) -> None:
        env = dict(os.environ, WRANGLER_SEND_METRICS="false", SKIP_WORKER_BUILD="1", NO_COLOR="1")
        cmd = [
            "npx", "wrangler", "dev", "--ip", "127.0.0.1", "--port", str(self.port),
            "--persist-to", str(self.state_dir),
            "--var", f"ADMIN_TOKEN:{self.admin_token}", "--var", "EXPOSE_KV_OPS:true",
            "--var", f"CREDENTIALS_KEY:{self.credentials_key}",
            "--var", f"PUBLIC_URL:{self.url}",
            *[arg for name, value in self.extra_vars.items() for arg in ("--var", f"{name}:{value}")],
            "--show-interactive-dev-session=false", "--log-level", "warn",
        ]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wrangler dev exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"wrangler dev did not start: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
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
