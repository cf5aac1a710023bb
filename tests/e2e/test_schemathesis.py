"""Schemathesis against the real Worker, from the OpenAPI document it serves (`/openapi.json`).

Every operation of www/openapi.json gets generated requests (its coverage cases: boundaries of every
documented rule, valid and invalid; and a bounded number of random ones, with a fixed seed), sent
with real credentials: a project token, the admin token, and the project's id wherever the document
asks for a project id, so requests reach validation rather than stopping at 403. Generated ids are
swapped, part of the time, for ids that exist (a config in use, a deployment, a live agent URL, an
application), so the success answers are exercised too, not only the 404s.

Each response must be no 5xx, carry a documented status, content type, headers and body schema, and
every error body must be its API's envelope (CodeArts' flat one under /v1/applications and
/v2/applications, Heat's fault body elsewhere).
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SEED = 20251201
# Random (fuzzing) examples per operation, on top of each operation's coverage cases.
MAX_EXAMPLES = 25

ID32 = re.compile(r"^[A-Za-z0-9]{32}$")
CODEARTS_PREFIXES = ("/v1/applications", "/v2/applications", "/v1/resources", "/v2/tasks", "/v2/history",
                     "/v2/{project_id}/task")


def chosen(value: object, one_in: int = 2) -> bool:
    """A deterministic coin: whether a generated value is swapped for a real one."""
    return int(hashlib.sha256(repr(value).encode()).hexdigest(), 16) % one_in == 0


@dataclass
class World:
    """What exists in the project the requests are sent as."""

    url: str
    admin_token: str
    pid: str
    token: str
    config_id: str = ""  # in use by deployments: DELETE is a 409
    spare_config_ids: list = field(default_factory=list)  # unused: DELETE is a 204 (once)
    deployment_id: str = ""  # read and updated
    victim_deployment_id: str = ""  # deleted (once)
    server_id: str = "st-web-1"  # has an agent URL and deployments
    revoked_server_id: str = "st-revoke"  # the agent URL that DELETE .../agent revokes
    agent: dict = field(default_factory=dict)  # project_id, server_ref, secret of the live agent URL
    derived_id: str = ""  # the derived config of an IN_PROGRESS deployment, for signals
    app_id: str = ""
    victim_app_id: str = ""
    group_id: str = ""  # a host cluster of the project
    host_id: str = ""  # a host in it
    task_id: str = ""  # a deployment task that can run (a script step; an environment with the host)
    record_id: str = ""  # a record of it
    requests: dict = field(default_factory=dict)  # operation label -> requests sent
    started: float = field(default_factory=time.monotonic)

    def call(self, method: str, path: str, **kw) -> dict:
        h = {"X-Auth-Token": self.token, "Content-Type": "application/json"}
        r = requests.request(method, f"{self.url}{path}", headers=h, timeout=30, **kw)
        assert r.status_code in (200, 201), f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    # -- how a generated case is sent ------------------------------------------------------------

    def prepare(self, case) -> None:
        path = case.operation.path
        method = case.method.upper()
        headers = case.headers if case.headers is not None else {}
        for name in [h for h in headers if h.lower() in ("x-auth-token", "authorization")]:
            del headers[name]
        if path.startswith("/admin/"):
            headers["Authorization"] = f"Bearer {self.admin_token}"
        elif path.startswith(("/v1/{project_id}",) + CODEARTS_PREFIXES):
            headers["X-Auth-Token"] = self.token
        for name in [h for h in headers if h.lower() == "x-project-id"]:
            if ID32.match(str(headers[name])):
                headers[name] = self.pid
        case.headers = headers
        if case.path_parameters:
            self.path_parameters(path, method, case.path_parameters)
        if case.query and ID32.match(str(case.query.get("project_id", ""))):
            case.query["project_id"] = self.pid
        if isinstance(case.body, dict):
            self.body(path, method, case.body)
        elif isinstance(case.body, list) and path.endswith("/software_deployments"):
            for item in case.body:
                if isinstance(item, dict):
                    self.body(path, method, item)

    def path_parameters(self, path: str, method: str, p: dict) -> None:
        for key, value in p.items():
            # A dot segment cannot be sent as a path parameter, not even percent-encoded: URLs
            # resolve it away (and an empty one is dropped), leaving another path.
            if unquote(str(value)) in ("", ".", ".."):
                p[key] = "x"
        if path.startswith("/agent/"):
            live = self.agent
            if all(re.match(pattern, str(p.get(k, ""))) for k, pattern in (
                    ("project_id", r"^[A-Za-z0-9]{32}$"), ("server_ref", r"^[0-9a-f]{32}$"),
                    ("secret", r"^[A-Za-z0-9_-]{43}$"))) and not chosen(p.get("secret"), 3):
                p.update(live)
            if "derived_id" in p and chosen(p["derived_id"]):
                p["derived_id"] = self.derived_id
            return
        if ID32.match(str(p.get("project_id", ""))):
            p["project_id"] = self.pid
        if "id" in p and "/software_configs/" in path:
            pick = int(hashlib.sha256(repr(p["id"]).encode()).hexdigest(), 16) % 3
            if pick == 0:
                p["id"] = self.config_id
            elif pick == 1 and method == "DELETE" and self.spare_config_ids:
                p["id"] = self.spare_config_ids.pop()
            elif pick == 1:
                p["id"] = self.config_id
        if "id" in p and "/software_deployments/" in path and chosen(p["id"]):
            p["id"] = self.victim_deployment_id if method == "DELETE" else self.deployment_id
        if "server_id" in p and chosen(p["server_id"]):
            p["server_id"] = self.revoked_server_id if method == "DELETE" else self.server_id
        if "app_id" in p and ID32.match(str(p["app_id"])) and chosen(p["app_id"]):
            p["app_id"] = self.victim_app_id if method == "DELETE" else self.app_id
        # The cluster and its host are kept: a generated DELETE removes only what it names.
        if "group_id" in p and ID32.match(str(p["group_id"])) and chosen(p["group_id"]) and method != "DELETE":
            p["group_id"] = self.group_id
            if "host_id" in p and ID32.match(str(p["host_id"])) and chosen(p["host_id"]) and method != "DELETE":
                p["host_id"] = self.host_id
        if "task_id" in p and ID32.match(str(p["task_id"])) and chosen(p["task_id"]):
            p["task_id"] = self.task_id
            if "record_id" in p and ID32.match(str(p["record_id"])) and chosen(p["record_id"]):
                p["record_id"] = self.record_id

    def body(self, path: str, method: str, body: dict) -> None:
        if ID32.match(str(body.get("project_id", ""))):
            body["project_id"] = self.pid
        if path == "/v1/applications" and method == "PUT" and ID32.match(str(body.get("id", ""))) \
                and chosen(body["id"]):
            body["id"] = self.app_id
        config_id = body.get("config_id")
        if path.startswith("/v1/{project_id}/software_deployments") and isinstance(config_id, str) \
                and 1 <= len(config_id) <= 36 and chosen(config_id):
            body["config_id"] = self.config_id


@pytest.fixture(scope="module")
def world(worker) -> World:
    served = requests.get(f"{worker.url}/openapi.json", timeout=30)
    assert served.status_code == 200 and served.json() == json.loads(DOCUMENT.read_text())
    project = worker.new_project()
    w = World(url=worker.url, admin_token=worker.admin_token, pid=project.id, token=project.token)
    base = f"/v1/{w.pid}"
    cfg = {"group": "script", "config": "#!/bin/sh\necho $foo", "inputs": [{"name": "foo", "default": "bar"}],
           "outputs": [{"name": "result"}, {"name": "err", "error_output": True}]}
    w.config_id = w.call("POST", f"{base}/software_configs", json={"name": "st-cfg", **cfg})["software_config"]["id"]
    signal_cfg = w.call("POST", f"{base}/software_configs", json={"name": "st-signal", **cfg})["software_config"]
    w.spare_config_ids = [w.call("POST", f"{base}/software_configs", json={"name": f"spare-{i}"})["software_config"]["id"]
                          for i in range(3)]

    def deploy(config_id: str) -> str:
        body = {"config_id": config_id, "server_id": w.server_id, "action": "CREATE", "status": "IN_PROGRESS"}
        return w.call("POST", f"{base}/software_deployments", json=body)["software_deployment"]["id"]

    w.deployment_id = deploy(w.config_id)
    w.victim_deployment_id = deploy(w.config_id)
    deploy(signal_cfg["id"])
    w.call("POST", f"{base}/servers/{w.revoked_server_id}/agent")
    issued = w.call("POST", f"{base}/servers/{w.server_id}/agent")
    project_id, server_ref, secret = issued["metadata_url"].split("/agent/v1/", 1)[1].split("/")
    w.agent = {"project_id": project_id, "server_ref": server_ref, "secret": secret}
    doc = requests.get(issued["metadata_url"], timeout=30).json()
    w.derived_id = next(d["id"] for d in doc["deployments"] if d["name"] == "st-signal")

    def app(name: str) -> str:
        body = {"project_id": w.pid, "name": name, "is_draft": False, "create_type": "template",
                "arrange_infos": [{"template_id": "ec939bdf63194aca9fad45b3ba05643e",
                                   "operation_list": [{"name": "step one", "params": '{"a": 1}'}]}]}
        return w.call("POST", "/v1/applications", json=body)["result"]["id"]

    w.app_id, w.victim_app_id = app("st_keeper"), app("st_victim")
    w.group_id = w.call("POST", "/v1/resources/host-groups",
                        json={"project_id": w.pid, "name": "st_hosts", "os": "linux", "is_proxy_mode": 0})["id"]
    w.host_id = w.call("POST", f"/v1/resources/host-groups/{w.group_id}/hosts",
                       json={"host_name": "st-host", "ip": "10.9.0.1", "port": 22, "os": "linux", "as_proxy": False,
                             "authorization": {"username": "root", "password": "x", "trusted_type": 0}})["id"]
    runner = w.call("POST", "/v1/applications", json={
        "project_id": w.pid, "name": "st_runner", "is_draft": False, "create_type": "template",
        "arrange_infos": [{"operation_list": [{"name": "hi", "params": '{"script": "echo hi"}'}]}]})["result"]
    env = w.call("POST", f"/v1/applications/{runner['id']}/environments",
                 json={"project_id": w.pid, "name": "st_env", "deploy_type": 0, "os": "linux"})["id"]
    w.call("POST", f"/v1/applications/{runner['id']}/environments/{env}/hosts/import",
           json={"group_id": w.group_id, "host_ids": [w.host_id]})
    w.task_id = runner["arrange_infos"][0]["id"]
    w.record_id = w.call("POST", f"/v2/tasks/{w.task_id}/start", json={})["id"]
    return w


def error_envelope(ctx, response, case):
    """Every 4xx/5xx body is its API's envelope: CodeArts' flat one or Heat's fault body."""
    if response.status_code < 400 or case.method.upper() == "HEAD":
        return None
    body = response.json()
    if case.operation.path.startswith(CODEARTS_PREFIXES):
        assert isinstance(body, dict) and set(body) == {"error_code", "error_msg", "errors"}, body
        assert isinstance(body["error_code"], str) and body["error_msg"], body
    else:
        assert isinstance(body, dict) and set(body) == {"code", "title", "explanation", "error"}, body
        assert body["code"] == response.status_code, body
        assert set(body["error"]) == {"message", "type", "traceback", "errors"}, body
    for e in body["errors"] if "errors" in body else body["error"]["errors"]:
        assert {"path", "code", "message"} <= set(e) <= {"path", "code", "message", "params"}, e
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    error_envelope,
]

# The document on disk; the test checks first that the Worker serves exactly it. (Loaded at import:
# schemathesis' fixture-based loader does not run under pytest 9.)
DOCUMENT = Path(__file__).resolve().parents[2] / "www" / "openapi.json"
schema = schemathesis.openapi.from_path(str(DOCUMENT), config=schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "no-shrink": True,
        "database": "none",
        "with-security-parameters": False,
    },
    # What is generated depends on the seed alone, not on earlier answers (ids, 400 bodies), so a
    # failure replays with the same seed.
    "phases": {
        "examples": {"extra-data-sources": {"responses": False}},
        "coverage": {"extra-data-sources": {"responses": False}},
        "fuzzing": {"extra-data-sources": {"responses": False}, "error-feedback": {"enabled": False}},
    },
}))


@schema.parametrize()
def test_every_operation_conforms_to_the_document(case, world):
    world.prepare(case)
    label = f"{case.method.upper()} {case.operation.path}"
    world.requests[label] = world.requests.get(label, 0) + 1
    response = case.call(base_url=world.url, timeout=30)
    case.validate_response(response, checks=CHECKS, transport_kwargs={"base_url": world.url})


def test_the_run_sent_requests_to_every_operation(world, capsys):
    """Runs after the test above (file order): prints how many requests it sent (the number the
    docs quote) and checks that every documented operation was exercised."""
    documented = {f"{method.upper()} {path}" for path, item in schema.raw_schema["paths"].items()
                  for method in item if method != "parameters"}
    total = sum(world.requests.values())
    took = time.monotonic() - world.started
    with capsys.disabled():
        print(f"\nschemathesis: {total} requests, {len(documented)} operations, {took:.0f} s "
              f"(seed {SEED}, max_examples {MAX_EXAMPLES}; coverage cases include undocumented methods)")
    assert documented <= set(world.requests), documented - set(world.requests)
