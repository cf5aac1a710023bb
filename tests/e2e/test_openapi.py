"""The OpenAPI document (www/openapi.json) is served, valid, and lists exactly what the router routes.

- `GET /openapi.json` serves the file as it is, and it is valid OpenAPI 3.1;
- every documented operation reaches a handler (never the router's "No resource at" 404, never a
  405) and answers one of its documented statuses;
- on every documented path, exactly the documented methods are accepted: the others answer 405 with
  an `Allow` naming the documented ones, in the path's API envelope;
- (that the document's operations are exactly the rows of the operation table is held by the
  native test that generates it, tests/openapi.rs).

Schema conformance of the answers, with generated requests, is tests/e2e/test_schemathesis.py.
"""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
import requests
from openapi_spec_validator import OpenAPIV31SpecValidator

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = json.loads((ROOT / "www" / "openapi.json").read_text())
METHODS = ("get", "head", "post", "put", "delete", "patch", "options")
CODEARTS_PREFIXES = ("/v1/applications", "/v2/applications", "/v1/resources", "/v2/tasks", "/v2/history",
                     "/v2/{project_id}/task")

OPERATIONS = [(path, method, op) for path, item in DOCUMENT["paths"].items()
              for method, op in item.items() if method in METHODS]


def is_codearts(path: str) -> bool:
    return path.startswith(CODEARTS_PREFIXES)


def concrete(path: str, project_id: str) -> str:
    """The path with plausible values for its parameters."""
    values = {
        "project_id": project_id, "id": str(uuid.uuid4()), "derived_id": str(uuid.uuid4()), "server_id": "web-1",
        "app_id": "0123456789abcdef0123456789abcdef", "group_id": "0123456789abcdef0123456789abcdef",
        "host_id": "0123456789abcdef0123456789abcdef", "environment_id": "0123456789abcdef0123456789abcdef",
        "task_id": "0123456789abcdef0123456789abcdef", "record_id": "0123456789abcdef0123456789abcdef", "access_key": "0123456789ABCDEF0123",
        "server_ref": "0" * 32, "secret": "A" * 43,
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def no_route(path: str, r: requests.Response) -> bool:
    """Whether the answer is the router's own 404 for a path it does not know."""
    if r.status_code != 404 or not r.content:
        return False
    body = r.json()
    if is_codearts(path):
        return body.get("error_code") == "EDGE.00000404"
    return body["error"]["message"].startswith("No resource at")


def documented_methods(path: str) -> set[str]:
    return {m.upper() for m in DOCUMENT["paths"][path] if m in METHODS}


# --- the document itself -------------------------------------------------------------------------

def test_the_worker_serves_the_document_and_it_is_valid_openapi_3_1(api):
    r = api.get("/openapi.json")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == "application/json"
    assert r.json() == DOCUMENT
    assert DOCUMENT["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(DOCUMENT).validate()


def test_operation_ids_are_unique_and_every_answer_has_its_apis_envelope_and_a_request_id():
    ids = [op["operationId"] for _, _, op in OPERATIONS]
    assert len(ids) == len(set(ids))
    components = DOCUMENT["components"]["responses"]
    for path, method, op in OPERATIONS:
        for status, response in op["responses"].items():
            name = response.get("$ref", "").rsplit("/", 1)[-1]
            resolved = components[name] if name else response
            assert "X-Request-Id" in resolved["headers"], (method, path, status)
            if int(status) >= 400 and method != "head":
                envelope = "CodeArtsError" if is_codearts(path) else "HeatFault"
                schema = resolved["content"]["application/json"]["schema"]
                assert schema["allOf"][0] == {"$ref": f"#/components/schemas/{envelope}"}, (method, path, status)


# --- the document against the running Worker -----------------------------------------------------

def credentials(op: dict, worker, project) -> dict:
    schemes = {name for requirement in op.get("security", []) for name in requirement}
    if "adminBearer" in schemes:
        return {"Authorization": f"Bearer {worker.admin_token}"}
    if "projectToken" in schemes:
        return {"X-Auth-Token": project.token}
    return {}


@pytest.mark.parametrize("path,method,op", OPERATIONS, ids=[f"{m.upper()} {p}" for p, m, _ in OPERATIONS])
def test_every_documented_operation_is_routed_and_answers_a_documented_status(api, worker, project, path,
                                                                             method, op):
    headers = credentials(op, worker, project)
    kw = {"json": {}} if "requestBody" in op else {}
    r = api.call(method.upper(), concrete(path, project.id), headers=headers, **kw)
    assert r.status_code != 405, f"{method.upper()} {path}: {r.status_code} {r.text}"
    assert not no_route(path, r), f"{method.upper()} {path}: {r.text}"
    assert str(r.status_code) in op["responses"], f"{method.upper()} {path}: {r.status_code} {r.text}"
    assert r.headers["content-type"].split(";")[0] == "application/json"


@pytest.mark.parametrize("path", list(DOCUMENT["paths"]))
def test_each_path_accepts_exactly_its_documented_methods(api, project, path):
    """Probed without credentials: an accepted method answers 401 (or 404, 200), never 405."""
    url = concrete(path, project.id)
    documented = documented_methods(path)
    accepted = set()
    for method in (m.upper() for m in METHODS):
        r = api.call(method, url)
        if r.status_code != 405:
            accepted.add(method)
            continue
        allow = {m.strip() for m in r.headers["allow"].split(",")}
        # HEAD goes with GET where the router takes it; `Allow` may leave it implied.
        assert allow | (documented & {"HEAD"}) == documented, f"{method} {path}: Allow {allow}"
        if method == "HEAD":
            continue  # no body
        body = r.json()
        if is_codearts(path):
            assert body["error_code"] == "EDGE.00000405", body
        else:
            assert (body["code"], body["error"]["type"]) == (405, "HTTPMethodNotAllowed"), body
    assert accepted == documented, path
