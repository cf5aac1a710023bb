"""The Heat / RTS software-config API end to end: the real Worker in workerd over on-disk KV.

Every test checks the exact status, `Content-Type: application/json`, the body's shape and, for
errors, Heat's fault envelope with our JSON-pointer field errors. Every rejected write also checks
that nothing stored changed.
"""
from __future__ import annotations

import json
import re
import secrets
import uuid

import pytest
import requests

from conftest import Api, Worker

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ETAG = re.compile(r'^"[0-9a-f]+"$')
MIB = 1024 * 1024

CONFIG_KEYS = {"id", "name", "group", "config", "inputs", "outputs", "options", "creation_time"}
SUMMARY_KEYS = {"id", "name", "group", "creation_time"}
DEPLOYMENT_KEYS = {"id", "config_id", "server_id", "input_values", "output_values", "action",
                   "status", "status_reason", "creation_time"}

# status -> (title, error.type), as src/api/envelope.rs answers them.
FAULTS = {
    400: ("Bad Request", "HTTPBadRequest"),
    401: ("Unauthorized", "HTTPUnauthorized"),
    403: ("Forbidden", "Forbidden"),
    404: ("Not Found", "NotFound"),
    405: ("Method Not Allowed", "HTTPMethodNotAllowed"),
    409: ("Conflict", "Conflict"),
    412: ("Precondition Failed", "HTTPPreconditionFailed"),
    413: ("Request Entity Too Large", "RequestEntityTooLarge"),
    415: ("Unsupported Media Type", "HTTPUnsupportedMediaType"),
}

# code -> the keys of a field error's `params` (src/validate.rs `Rule::params`); other codes have none.
PARAMS = {
    "type": {"expected"},
    "too_long": {"limit"},
    "too_short": {"limit"},
    "pattern": {"pattern"},
    "enum": {"allowed"},
    "out_of_range": {"min", "max"},
}


# --- helpers -------------------------------------------------------------------------------------

def is_json(r: requests.Response) -> bool:
    return r.headers.get("content-type", "").split(";")[0].strip() == "application/json"


def ok(r: requests.Response, status: int = 200) -> dict:
    """Asserts a success with a JSON body (or an empty one for 204) and returns the body."""
    assert r.status_code == status, f"{r.request.method} {r.url}: {r.status_code} {r.text}"
    assert is_json(r), r.headers.get("content-type")
    if status == 204:
        assert r.content == b""
        return {}
    return r.json()


def fault(r: requests.Response, status: int, *, message: str | None = None,
          contains: str | None = None, errors: list[tuple[str, str]] | None = None) -> dict:
    """Asserts Heat's fault envelope and returns its `error` object.

    `errors` are the expected `(path, code)` field errors, in order; without it there must be none.
    """
    assert r.status_code == status, f"{r.request.method} {r.url}: {r.status_code} {r.text}"
    assert is_json(r), r.headers.get("content-type")
    body = r.json()
    title, kind = FAULTS[status]
    assert set(body) == {"code", "title", "explanation", "error"}, body
    assert body["code"] == status
    assert body["title"] == title
    assert isinstance(body["explanation"], str) and body["explanation"]
    err = body["error"]
    assert set(err) == {"message", "type", "traceback", "errors"}, err
    assert err["type"] == kind
    assert err["traceback"] is None
    assert isinstance(err["message"], str) and err["message"]
    if message is not None:
        assert err["message"] == message
    if contains is not None:
        assert contains in err["message"], err["message"]
    for e in err["errors"]:
        assert set(e) == {"path", "code", "message"} | ({"params"} if e["code"] in PARAMS else set()), e
        assert set(e.get("params", {})) == PARAMS.get(e["code"], set()), e
        assert e["path"] == "" or e["path"].startswith("/"), e
        assert e["message"] in err["message"]
    assert [(e["path"], e["code"]) for e in err["errors"]] == (errors or [])
    return err


class Heat(Api):
    """The Heat API of one project, as one token sees it (paths relative to `/v1/{project}`)."""

    def __init__(self, api, project, token: str | None = None):
        super().__init__(api.base)
        self.api = api
        self.project = project
        self.token = project.token if token is None else token
        self.prefix = f"/v1/{project.id}"

    def call(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        return super().call(method, f"{self.prefix}{path}", token=self.token if token is None else token, **kw)

    def create_config(self, **body) -> dict:
        return ok(self.post("/software_configs", json=body))["software_config"]

    def create_deployment(self, **body) -> dict:
        return ok(self.post("/software_deployments", json=body))["software_deployment"]

    def configs(self) -> list:
        return ok(self.get("/software_configs"))["software_configs"]

    def deployments(self, server_id: str | None = None) -> list:
        params = {"server_id": server_id} if server_id is not None else None
        return ok(self.get("/software_deployments", params=params))["software_deployments"]

    def stored(self) -> tuple:
        """Everything the project holds: each config in full, and every deployment."""
        configs = [ok(self.get(f"/software_configs/{c['id']}"))["software_config"]
                   for c in self.configs()]
        return configs, self.deployments()


@pytest.fixture
def heat(api, project) -> Heat:
    return Heat(api, project)


@pytest.fixture
def config(heat) -> dict:
    return heat.create_config(name="cfg", group="script", config="#!/bin/sh\necho hi",
                              inputs=[{"name": "foo", "default": "bar"}],
                              outputs=[{"name": "result"}])


@pytest.fixture
def deployment(heat, config) -> dict:
    return heat.create_deployment(config_id=config["id"], server_id="server-1", action="CREATE",
                                  status="IN_PROGRESS")


def error_ids(errors: list[tuple[str, str]]) -> str:
    """A test id naming the expected field errors: `/inputs/0/name:required`."""
    return ",".join(f"{path or '(body)'}:{code}" for path, code in errors)


def raw_json(text: str | bytes) -> dict:
    """Keyword arguments for a raw body sent as application/json."""
    return {"data": text, "headers": {"Content-Type": "application/json"}}


# --- software configs ----------------------------------------------------------------------------

def test_creating_a_config_returns_it_whole_with_inputs_and_outputs_normalised(heat):
    r = heat.post("/software_configs", json={
        "name": "deploy-app", "group": "script", "config": "#!/bin/sh\necho $foo",
        "inputs": [{"name": "foo"}, {"name": "n", "type": "Number", "default": 3,
                                     "description": "how many", "replace_on_change": True}],
        "outputs": [{"name": "result"}, {"name": "err", "error_output": True}],
        "options": {"x": 1},
    })
    c = ok(r)["software_config"]
    assert set(c) == CONFIG_KEYS
    uuid.UUID(c["id"])
    assert TIME.match(c["creation_time"]), c["creation_time"]
    assert (c["name"], c["group"], c["config"]) == ("deploy-app", "script", "#!/bin/sh\necho $foo")
    assert c["inputs"] == [
        {"name": "foo", "type": "String"},
        {"name": "n", "type": "Number", "default": 3, "description": "how many",
         "replace_on_change": True},
    ]
    assert c["outputs"] == [
        {"name": "result", "type": "String", "error_output": False},
        {"name": "err", "type": "String", "error_output": True},
    ]
    assert c["options"] == {"x": 1}


def test_an_empty_object_creates_a_config_with_heats_defaults(heat):
    c = ok(heat.post("/software_configs", json={}))["software_config"]
    assert set(c) == CONFIG_KEYS
    assert c["name"] is None and c["config"] is None
    assert c["group"] == "Heat::Ungrouped"
    assert (c["inputs"], c["outputs"], c["options"]) == ([], [], {})


def test_reading_a_config_returns_exactly_what_create_returned(heat, config):
    got = ok(heat.get(f"/software_configs/{config['id']}"))
    assert got == {"software_config": config}


def test_reading_an_unknown_config_is_404_with_heats_message(heat):
    r = heat.get("/software_configs/nope")
    fault(r, 404, message="Software config with id nope not found")


def test_deleting_a_config_answers_204_and_then_it_is_gone(heat, config):
    ok(heat.delete(f"/software_configs/{config['id']}"), 204)
    fault(heat.get(f"/software_configs/{config['id']}"), 404,
          message=f"Software config with id {config['id']} not found")
    assert heat.stored() == ([], [])
    fault(heat.delete(f"/software_configs/{config['id']}"), 404,
          message=f"Software config with id {config['id']} not found")
    assert heat.stored() == ([], [])


def test_the_config_list_is_newest_first_and_holds_summaries_only(heat):
    made = [heat.create_config(name=f"c{i}", group="script", config="x") for i in range(3)]
    listed = heat.configs()
    assert [c["id"] for c in listed] == [c["id"] for c in reversed(made)]
    for c, m in zip(listed, reversed(made)):
        assert set(c) == SUMMARY_KEYS
        assert c == {k: m[k] for k in SUMMARY_KEYS}


def test_the_config_list_pages_with_limit_and_marker(heat):
    made = [heat.create_config(name=f"c{i}") for i in range(5)]
    newest_first = [c["id"] for c in reversed(made)]

    def page(**params):
        return [c["id"] for c in ok(heat.get("/software_configs", params=params))["software_configs"]]

    assert page(limit=2) == newest_first[:2]
    assert page(limit=2, marker=newest_first[1]) == newest_first[2:4]
    assert page(limit=2, marker=newest_first[3]) == newest_first[4:]
    assert page(marker=newest_first[4]) == []
    assert page(limit=0) == []
    assert page(limit=100) == newest_first
    # Heat ignores a marker it does not know.
    assert page(marker="not-a-config") == newest_first


@pytest.mark.parametrize("limit", ["x", "-1", "1.5", "1e3"])
def test_a_limit_that_is_not_a_whole_number_is_400_naming_limit(heat, limit):
    err = fault(heat.get("/software_configs", params={"limit": limit}), 400,
                errors=[("/limit", "type")])
    assert "limit" in err["message"]


CONFIG_ERRORS = [
    ({"name": 5}, [("/name", "type")]),
    ({"name": "n" * 256}, [("/name", "too_long")]),
    ({"group": ["script"]}, [("/group", "type")]),
    ({"inputs": "foo"}, [("/inputs", "type")]),
    ({"inputs": [{"type": "String"}]}, [("/inputs/0/name", "required")]),
    ({"inputs": [{"name": "a", "type": "Strng"}]}, [("/inputs/0/type", "enum")]),
    ({"inputs": [{"name": "a", "type": "Number", "default": "abc"}]}, [("/inputs/0/default", "type")]),
    ({"inputs": [{"name": "a", "colour": "red"}]}, [("/inputs/0/colour", "unknown_field")]),
    ({"inputs": [{"name": "a"}, {"name": "a"}]}, [("/inputs/1/name", "duplicate")]),
    ({"inputs": [{"name": "a", "description": "d" * 4097}]}, [("/inputs/0/description", "too_long")]),
    ({"inputs": [{"name": "a", "replace_on_change": "yes"}]}, [("/inputs/0/replace_on_change", "type")]),
    ({"inputs": [{"name": f"i{i}"} for i in range(101)]}, [("/inputs", "too_long")]),
    ({"outputs": [5]}, [("/outputs/0", "type")]),
    ({"outputs": [{"name": "o", "error_output": "yes"}]}, [("/outputs/0/error_output", "type")]),
    ({"options": ["a"]}, [("/options", "type")]),
    ({"name": 1, "inputs": [{"name": "a", "type": "Json", "default": 7}], "outputs": {}},
     [("/name", "type"), ("/outputs", "type"), ("/inputs/0/default", "type")]),
]


@pytest.mark.parametrize("body,errors", CONFIG_ERRORS,
                         ids=[error_ids(e) for _, e in CONFIG_ERRORS])
def test_an_invalid_config_is_400_naming_every_bad_field_and_stores_nothing(heat, config, body, errors):
    before = heat.stored()
    fault(heat.post("/software_configs", json=body), 400, errors=errors)
    assert heat.stored() == before


NOT_OBJECTS = ["[1]", '"config"', "5", "null", "true"]


@pytest.mark.parametrize("text", NOT_OBJECTS)
def test_a_config_body_that_is_not_an_object_is_400_at_the_root(heat, config, text):
    before = heat.stored()
    err = fault(heat.post("/software_configs", **raw_json(text)), 400, errors=[("", "type")])
    assert "must be a JSON object" in err["message"]
    assert heat.stored() == before


@pytest.mark.parametrize("path", ["/software_configs", "/software_deployments",
                                  "/software_deployments/{dep}"])
def test_malformed_json_is_400_invalid_json_and_stores_nothing(heat, deployment, path):
    method = "PUT" if "{dep}" in path else "POST"
    before = heat.stored()
    r = heat.call(method, path.format(dep=deployment["id"]), **raw_json('{"name": "a",'))
    err = fault(r, 400, errors=[("", "invalid_json")])
    assert "not valid JSON" in err["message"] and "line 1" in err["message"]
    assert heat.stored() == before


@pytest.mark.parametrize("path", ["/software_configs", "/software_deployments",
                                  "/software_deployments/{dep}"])
def test_an_empty_body_is_400_required_and_stores_nothing(heat, deployment, path):
    method = "PUT" if "{dep}" in path else "POST"
    before = heat.stored()
    fault(heat.call(method, path.format(dep=deployment["id"]), **raw_json("")), 400,
          errors=[("", "required")])
    assert heat.stored() == before


def test_a_body_that_is_not_json_by_content_type_is_415_and_stores_nothing(heat, config):
    before = heat.stored()
    r = heat.post("/software_configs", data='{"name": "x"}', headers={"Content-Type": "text/plain"})
    fault(r, 415, contains="text/plain")
    assert heat.stored() == before


def body_of_exactly(size: int) -> bytes:
    """A valid config body of exactly `size` bytes."""
    frame = json.dumps({"name": "big", "config": ""}).encode()
    text = json.dumps({"name": "big", "config": "x" * (size - len(frame))}).encode()
    assert len(text) == size
    return text


def test_a_body_of_exactly_one_mib_is_accepted(heat):
    c = ok(heat.post("/software_configs", **raw_json(body_of_exactly(MIB))))["software_config"]
    stored = ok(heat.get(f"/software_configs/{c['id']}"))["software_config"]
    assert len(stored["config"]) == len(c["config"]) > MIB - 100


@pytest.mark.parametrize("path", ["/software_configs", "/software_deployments",
                                  "/software_deployments/{dep}"])
def test_a_body_over_one_mib_is_413_and_stores_nothing(heat, deployment, path):
    method = "PUT" if "{dep}" in path else "POST"
    before = heat.stored()
    r = heat.call(method, path.format(dep=deployment["id"]), **raw_json(body_of_exactly(MIB + 1)))
    fault(r, 413, message="The request body is larger than 1048576 bytes")
    assert heat.stored() == before


def test_a_chunked_body_over_one_mib_is_413_too(heat, config):
    before = heat.stored()
    data = body_of_exactly(MIB + 1)
    r = heat.post("/software_configs", data=iter([data[:1000], data[1000:]]),
                  headers={"Content-Type": "application/json"})
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    fault(r, 413)
    assert heat.stored() == before


# --- software deployments ------------------------------------------------------------------------

def test_creating_a_deployment_fills_rts_defaults_and_sends_an_etag(heat, config):
    r = heat.post("/software_deployments", json={"config_id": config["id"], "server_id": "srv"})
    d = ok(r)["software_deployment"]
    assert set(d) == DEPLOYMENT_KEYS  # no updated_time before the first PUT
    uuid.UUID(d["id"])
    assert (d["config_id"], d["server_id"]) == (config["id"], "srv")
    assert d["input_values"] is None and d["output_values"] is None
    assert (d["action"], d["status"], d["status_reason"]) == ("INIT", "COMPLETE", "")
    assert TIME.match(d["creation_time"]), d["creation_time"]
    assert ETAG.match(r.headers["etag"]), r.headers["etag"]


def test_a_deployment_keeps_what_it_was_given_and_ignores_unknown_fields(heat, config):
    d = heat.create_deployment(config_id=config["id"], server_id="srv", action="CREATE",
                               status="IN_PROGRESS", status_reason="starting",
                               input_values={"foo": "baz", "n": [1, 2]},
                               stack_user_project_id="u" * 64, colour="red")
    assert set(d) == DEPLOYMENT_KEYS
    assert d["input_values"] == {"foo": "baz", "n": [1, 2]}
    assert (d["action"], d["status"], d["status_reason"]) == ("CREATE", "IN_PROGRESS", "starting")


def test_reading_a_deployment_returns_what_create_returned_with_the_same_etag(heat, config):
    r = heat.post("/software_deployments", json={"config_id": config["id"], "server_id": "s"})
    created = ok(r)["software_deployment"]
    got = heat.get(f"/software_deployments/{created['id']}")
    assert ok(got) == {"software_deployment": created}
    assert got.headers["etag"] == r.headers["etag"]


def test_head_on_a_deployment_answers_like_get_without_a_body(heat, deployment):
    r = heat.call("HEAD", f"/software_deployments/{deployment['id']}")
    assert r.status_code == 200 and is_json(r)
    assert r.content == b""
    assert r.headers["etag"] == heat.get(f"/software_deployments/{deployment['id']}").headers["etag"]


def test_updating_a_deployment_sets_updated_time_and_shows_the_new_values(heat, config, deployment):
    other = heat.create_config(name="other")
    path = f"/software_deployments/{deployment['id']}"
    etag_before = heat.get(path).headers["etag"]
    r = heat.put(path, json={"status": "COMPLETE", "status_reason": "done", "action": "UPDATE",
                             "output_values": {"result": "ok", "deploy_status_code": 0},
                             "input_values": {"foo": "qux"}, "config_id": other["id"]})
    d = ok(r)["software_deployment"]
    assert set(d) == DEPLOYMENT_KEYS | {"updated_time"}
    assert TIME.match(d["updated_time"]), d["updated_time"]
    assert d["creation_time"] == deployment["creation_time"]
    assert (d["status"], d["status_reason"], d["action"]) == ("COMPLETE", "done", "UPDATE")
    assert d["output_values"] == {"result": "ok", "deploy_status_code": 0}
    assert d["input_values"] == {"foo": "qux"}
    assert d["config_id"] == other["id"]  # Heat's own PUT response shows the old one: a bug
    assert r.headers["etag"] != etag_before
    got = heat.get(path)
    assert ok(got) == {"software_deployment": d}
    assert got.headers["etag"] == r.headers["etag"]


def test_an_empty_update_only_sets_updated_time(heat, deployment):
    d = ok(heat.put(f"/software_deployments/{deployment['id']}", json={}))["software_deployment"]
    assert TIME.match(d["updated_time"])
    assert {k: v for k, v in d.items() if k != "updated_time"} == deployment


def test_null_fields_in_an_update_are_left_unchanged(heat, deployment):
    r = heat.put(f"/software_deployments/{deployment['id']}",
                 json={"status": None, "action": None, "input_values": None, "status_reason": "x"})
    d = ok(r)["software_deployment"]
    assert (d["status"], d["action"], d["status_reason"]) == ("IN_PROGRESS", "CREATE", "x")
    assert d["input_values"] is None


def test_deleting_a_deployment_answers_204_and_then_it_is_gone(heat, deployment):
    path = f"/software_deployments/{deployment['id']}"
    ok(heat.delete(path), 204)
    msg = f"Deployment with id {deployment['id']} not found"
    fault(heat.get(path), 404, message=msg)
    assert heat.deployments() == [] and heat.deployments("server-1") == []
    before = heat.stored()
    fault(heat.delete(path), 404, message=msg)
    assert heat.stored() == before


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_unknown_deployment_is_404_with_heats_message(heat, config, method):
    before = heat.stored()
    kw = {"json": {"status": "FAILED"}} if method == "PUT" else {}
    r = heat.call(method, "/software_deployments/nope", **kw)
    fault(r, 404, message="Deployment with id nope not found")
    assert heat.stored() == before


DEPLOYMENT_ERRORS = [
    ({"server_id": "s"}, [("/config_id", "required")]),
    ({"config_id": "{cfg}"}, [("/server_id", "required")]),
    ({}, [("/config_id", "required"), ("/server_id", "required")]),
    ({"config_id": 5, "server_id": "s"}, [("/config_id", "type")]),
    ({"config_id": "{cfg}", "server_id": ["s"]}, [("/server_id", "type")]),
    ({"config_id": "{cfg}", "server_id": "s" * 37}, [("/server_id", "too_long")]),
    ({"config_id": "c" * 37, "server_id": "s"}, [("/config_id", "too_long")]),
    ({"config_id": "{cfg}", "server_id": ""}, [("/server_id", "too_short")]),
    ({"config_id": "{cfg}", "server_id": "s", "status": "DONE"}, [("/status", "enum")]),
    ({"config_id": "{cfg}", "server_id": "s", "status": "complete"}, [("/status", "enum")]),
    ({"config_id": "{cfg}", "server_id": "s", "input_values": ["a"]}, [("/input_values", "type")]),
    ({"config_id": "{cfg}", "server_id": "s", "action": "A" * 256}, [("/action", "too_long")]),
    ({"config_id": "{cfg}", "server_id": "s", "status_reason": 1}, [("/status_reason", "type")]),
    ({"config_id": "{cfg}", "server_id": "s", "status_reason": "r" * 65536},
     [("/status_reason", "too_long")]),
    ({"config_id": "{cfg}", "server_id": "s", "stack_user_project_id": "p" * 65},
     [("/stack_user_project_id", "too_long")]),
]


def fill(body, cfg_id: str):
    """`body` with every "{cfg}" replaced by a real config id."""
    return json.loads(json.dumps(body).replace("{cfg}", cfg_id))


@pytest.mark.parametrize("body,errors", DEPLOYMENT_ERRORS,
                         ids=[error_ids(e) for _, e in DEPLOYMENT_ERRORS])
def test_an_invalid_deployment_is_400_naming_every_bad_field_and_stores_nothing(
        heat, deployment, body, errors):
    before = heat.stored()
    err = fault(heat.post("/software_deployments", json=fill(body, deployment["config_id"])), 400,
                errors=errors)
    assert errors[0][0].lstrip("/") in err["message"]
    assert heat.stored() == before


@pytest.mark.parametrize("text,code", [('"x"', "type"), ("5", "type"), ("null", "type"),
                                       ("[]", "too_short"), ("[5]", "type")])
def test_a_deployment_body_that_is_neither_object_nor_array_of_objects_is_400(
        heat, deployment, text, code):
    before = heat.stored()
    err = fault(heat.post("/software_deployments", **raw_json(text)), 400,
                errors=[("/0" if text == "[5]" else "", code)])
    assert "must" in err["message"]
    assert heat.stored() == before


def test_a_batch_over_100_deployments_is_400_and_stores_nothing(heat, deployment):
    before = heat.stored()
    items = [{"config_id": deployment["config_id"], "server_id": "s"}] * 101
    fault(heat.post("/software_deployments", json=items), 400, errors=[("", "too_long")],
          contains="at most 100")
    assert heat.stored() == before


def test_a_deployment_for_an_unknown_config_is_404_and_stores_nothing(heat, deployment):
    before = heat.stored()
    r = heat.post("/software_deployments", json={"config_id": "no-such-config", "server_id": "s"})
    fault(r, 404, message="Software config with id no-such-config not found")
    assert heat.stored() == before


UPDATE_ERRORS = [
    ({"status": "nope"}, [("/status", "enum")]),
    ({"status": 1}, [("/status", "type")]),
    ({"output_values": [1]}, [("/output_values", "type")]),
    ({"input_values": "x"}, [("/input_values", "type")]),
    ({"config_id": ""}, [("/config_id", "too_short")]),
    ({"config_id": 5}, [("/config_id", "type")]),
    ({"action": "a" * 256}, [("/action", "too_long")]),
    ({"status_reason": {"a": 1}}, [("/status_reason", "type")]),
    ({"status": "nope", "output_values": [1], "config_id": ""},
     [("/status", "enum"), ("/config_id", "too_short"), ("/output_values", "type")]),
]


@pytest.mark.parametrize("body,errors", UPDATE_ERRORS,
                         ids=[error_ids(e) for _, e in UPDATE_ERRORS])
def test_an_invalid_update_is_400_naming_every_bad_field_and_changes_nothing(
        heat, deployment, body, errors):
    before = heat.stored()
    fault(heat.put(f"/software_deployments/{deployment['id']}", json=body), 400, errors=errors)
    assert heat.stored() == before


@pytest.mark.parametrize("text", NOT_OBJECTS)
def test_an_update_body_that_is_not_an_object_is_400_and_changes_nothing(heat, deployment, text):
    before = heat.stored()
    fault(heat.put(f"/software_deployments/{deployment['id']}", **raw_json(text)), 400,
          errors=[("", "type")])
    assert heat.stored() == before


def test_an_update_to_an_unknown_config_is_404_and_changes_nothing(heat, deployment):
    before = heat.stored()
    r = heat.put(f"/software_deployments/{deployment['id']}",
                 json={"config_id": "gone", "status": "FAILED"})
    fault(r, 404, message="Software config with id gone not found")
    assert heat.stored() == before


def test_deployments_list_oldest_first_and_filter_by_server(heat, config):
    a1 = heat.create_deployment(config_id=config["id"], server_id="a")
    b1 = heat.create_deployment(config_id=config["id"], server_id="b")
    a2 = heat.create_deployment(config_id=config["id"], server_id="a")
    assert heat.deployments() == [a1, b1, a2]
    assert heat.deployments("a") == [a1, a2]
    assert heat.deployments("b") == [b1]
    assert heat.deployments("nobody") == []


def test_a_batch_of_three_creates_all_and_lists_in_the_order_sent(heat, config):
    items = [{"config_id": config["id"], "server_id": "batch", "action": f"A{i}",
              "input_values": {"i": i}} for i in range(3)]
    r = heat.post("/software_deployments", json=items)
    created = ok(r)["software_deployments"]
    assert len(created) == 3 and len({d["id"] for d in created}) == 3
    assert [d["action"] for d in created] == ["A0", "A1", "A2"]
    for d in created:
        assert set(d) == DEPLOYMENT_KEYS
        assert (d["config_id"], d["server_id"], d["status"]) == (config["id"], "batch", "COMPLETE")
    assert heat.deployments("batch") == created
    assert heat.deployments() == created


def test_a_batch_with_one_invalid_item_is_400_naming_that_item_and_creates_nothing(heat, config):
    before = heat.stored()
    items = [{"config_id": config["id"], "server_id": "s"},
             {"config_id": config["id"], "status": "DONE"},
             {"config_id": config["id"], "server_id": "s"}]
    err = fault(heat.post("/software_deployments", json=items), 400,
                errors=[("/1/server_id", "required"), ("/1/status", "enum")])
    assert "item 1" in err["message"]
    assert heat.stored() == before


def test_a_batch_with_an_unknown_config_is_404_and_creates_nothing(heat, config):
    before = heat.stored()
    items = [{"config_id": config["id"], "server_id": "s"},
             {"config_id": "missing-config", "server_id": "s"}]
    fault(heat.post("/software_deployments", json=items), 404,
          message="Software config with id missing-config not found")
    assert heat.stored() == before


def test_metadata_lists_derived_configs_sorted_by_config_name(heat):
    zeta = heat.create_config(name="zeta", group="script", config="z",
                              inputs=[{"name": "a", "default": "da"}, {"name": "b", "default": 2},
                                      {"name": "c"}])
    alpha = heat.create_config(name="alpha", group="ansible", config="a",
                               inputs=[{"name": "x", "type": "Number", "default": 1}])
    heat.create_deployment(config_id=zeta["id"], server_id="vm", input_values={"a": "given"})
    heat.create_deployment(config_id=alpha["id"], server_id="vm")
    heat.create_deployment(config_id=alpha["id"], server_id="elsewhere", input_values={"x": 9})
    md = ok(heat.get("/software_deployments/metadata/vm"))
    assert set(md) == {"metadata"}
    items = md["metadata"]
    assert [i["name"] for i in items] == ["alpha", "zeta"]
    own = ("id", "inputs", "creation_time")  # what a derived config has of its own
    for item, cfg in zip(items, [alpha, zeta]):
        assert set(item) == CONFIG_KEYS
        assert {k: v for k, v in item.items() if k not in own} == \
            {k: v for k, v in cfg.items() if k not in own}
    # Each deployment is its own derived config, never the shared config's id.
    assert len({i["id"] for i in items} | {alpha["id"], zeta["id"]}) == 4

    def declared(item):
        return [i for i in item["inputs"] if not i["name"].startswith("deploy_")]

    for item in items:
        assert [(i["name"], i["value"]) for i in item["inputs"] if i["name"].startswith("deploy_")] == [
            ("deploy_server_id", "vm"), ("deploy_action", "INIT"), ("deploy_signal_transport", "NO_SIGNAL")]
    assert declared(items[0]) == [{"name": "x", "type": "Number", "default": 1, "value": 1}]
    assert declared(items[1]) == [
        {"name": "a", "type": "String", "default": "da", "value": "given"},
        {"name": "b", "type": "String", "default": 2, "value": 2},
        {"name": "c", "type": "String", "value": None},
    ]
    other = ok(heat.get("/software_deployments/metadata/elsewhere"))["metadata"]
    assert [i["inputs"][0]["value"] for i in other] == [9]
    assert other[0]["id"] not in {i["id"] for i in items}


def test_metadata_for_a_server_without_deployments_is_an_empty_list(heat, deployment):
    assert ok(heat.get("/software_deployments/metadata/unknown-server")) == {"metadata": []}


def test_a_config_in_use_cannot_be_deleted_until_its_deployment_is(heat, config, deployment):
    before = heat.stored()
    r = heat.delete(f"/software_configs/{config['id']}")
    fault(r, 409, contains=deployment["id"])
    assert heat.stored() == before
    ok(heat.delete(f"/software_deployments/{deployment['id']}"), 204)
    ok(heat.delete(f"/software_configs/{config['id']}"), 204)
    assert heat.stored() == ([], [])


def test_a_config_no_longer_used_after_an_update_can_be_deleted(heat, config, deployment):
    other = heat.create_config(name="other")
    ok(heat.put(f"/software_deployments/{deployment['id']}", json={"config_id": other["id"]}))
    ok(heat.delete(f"/software_configs/{config['id']}"), 204)
    before = heat.stored()
    fault(heat.delete(f"/software_configs/{other['id']}"), 409, contains=deployment["id"])
    assert heat.stored() == before


@pytest.mark.parametrize("method,path", [
    ("GET", "/software_configs/{long}"), ("DELETE", "/software_configs/{long}"),
    ("GET", "/software_deployments/{long}"), ("PUT", "/software_deployments/{long}"),
    ("DELETE", "/software_deployments/{long}"),
])
def test_an_id_too_long_to_exist_is_404_not_a_storage_error(heat, deployment, method, path):
    before = heat.stored()
    long = "x" * 600  # as a KV key: over KV's 512-byte key limit
    r = heat.call(method, path.format(long=long), json={} if method == "PUT" else None)
    what = "Software config" if "configs" in path else "Deployment"
    fault(r, 404, message=f"{what} with id {long} not found")
    assert heat.stored() == before


def test_a_server_id_too_long_to_exist_has_no_deployments_and_no_metadata(heat, deployment):
    long = "s" * 600
    assert heat.deployments(long) == []
    assert ok(heat.get(f"/software_deployments/metadata/{long}")) == {"metadata": []}


# --- ETag / If-Match -----------------------------------------------------------------------------

def test_an_update_with_a_stale_if_match_is_412_and_changes_nothing(heat, deployment):
    path = f"/software_deployments/{deployment['id']}"
    stale = heat.get(path).headers["etag"]
    fresh = ok(heat.put(path, json={"status": "COMPLETE"}))["software_deployment"]
    before = heat.stored()
    r = heat.put(path, json={"status": "FAILED"}, headers={"If-Match": stale})
    fault(r, 412, contains="has changed")
    assert heat.stored() == before
    assert ok(heat.get(path))["software_deployment"] == fresh


def test_an_update_with_the_current_if_match_succeeds_and_gives_a_new_etag(heat, deployment):
    path = f"/software_deployments/{deployment['id']}"
    current = heat.get(path).headers["etag"]
    r = heat.put(path, json={"status": "FAILED"}, headers={"If-Match": current})
    assert ok(r)["software_deployment"]["status"] == "FAILED"
    assert ETAG.match(r.headers["etag"]) and r.headers["etag"] != current
    assert heat.get(path).headers["etag"] == r.headers["etag"]
    # A weak form, or a list holding the current tag, matches too.
    r2 = heat.put(path, json={"status": "COMPLETE"},
                  headers={"If-Match": f'"0000", W/{r.headers["etag"]}'})
    assert ok(r2)["software_deployment"]["status"] == "COMPLETE"


def test_an_if_match_star_matches_any_current_version(heat, deployment):
    path = f"/software_deployments/{deployment['id']}"
    r = heat.put(path, json={"status_reason": "any"}, headers={"If-Match": "*"})
    assert ok(r)["software_deployment"]["status_reason"] == "any"


def test_an_if_match_on_an_unknown_deployment_is_404(heat, deployment):
    before = heat.stored()
    fault(heat.put("/software_deployments/nope", json={}, headers={"If-Match": "*"}), 404,
          message="Deployment with id nope not found")
    assert heat.stored() == before


# --- routing -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/nope", "/v1/{p}/nope", "/v1/{p}/software_configs/a/b",
                                  "/v1/{p}/software_deployments/metadata/s/extra", "/v1/{p}",
                                  "/v2/{p}/software_configs"])
def test_an_unknown_path_is_404_in_heats_envelope(api, project, path):
    r = api.get(path.format(p=project.id), token=project.token)
    fault(r, 404, contains="No resource at")


WRONG_METHODS = [
    ("PATCH", "/software_configs", "GET, POST"),
    ("PUT", "/software_configs", "GET, POST"),
    ("PUT", "/software_configs/{cfg}", "GET, DELETE"),
    ("POST", "/software_configs/{cfg}", "GET, DELETE"),
    ("DELETE", "/software_deployments", "GET, POST"),
    ("POST", "/software_deployments/{dep}", "GET, PUT, DELETE"),
    ("PATCH", "/software_deployments/{dep}", "GET, PUT, DELETE"),
    ("DELETE", "/software_deployments/metadata/server-1", "GET"),
    ("POST", "/software_deployments/metadata/server-1", "GET"),
]


@pytest.mark.parametrize("method,path,allow", WRONG_METHODS,
                         ids=[f"{m} {p}" for m, p, _ in WRONG_METHODS])
def test_a_wrong_method_is_405_with_allow_and_changes_nothing(heat, deployment, method, path, allow):
    before = heat.stored()
    r = heat.call(method, path.format(cfg=deployment["config_id"], dep=deployment["id"]), json={})
    fault(r, 405, contains=allow)
    assert r.headers["allow"] == allow
    assert heat.stored() == before


@pytest.mark.parametrize("bad", ["short", "0123456789abcdef0123456789abcde-",
                                 "0123456789abcdef0123456789abcdef0",
                                 "0123456789abcdef0123456789abcd%20f"])
def test_a_malformed_project_id_in_the_path_is_404(api, project, bad):
    r = api.get(f"/v1/{bad}/software_configs", token=project.token)
    fault(r, 404)


# --- authentication and authorisation ------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/software_configs"),
    ("POST", "/software_configs"),
    ("GET", "/software_configs/{cfg}"),
    ("DELETE", "/software_configs/{cfg}"),
    ("GET", "/software_deployments"),
    ("POST", "/software_deployments"),
    ("GET", "/software_deployments/{dep}"),
    ("PUT", "/software_deployments/{dep}"),
    ("DELETE", "/software_deployments/{dep}"),
    ("GET", "/software_deployments/metadata/server-1"),
]
ENDPOINT_IDS = [f"{m} {p}" for m, p in ENDPOINTS]


def endpoint_call(heat, deployment, method, path, token):
    body = {"config_id": deployment["config_id"], "server_id": "x"} if method in ("POST", "PUT") else None
    return heat.call(method, path.format(cfg=deployment["config_id"], dep=deployment["id"]),
                     token=token, json=body)


@pytest.mark.parametrize("method,path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_no_token_is_401_and_changes_nothing(heat, deployment, method, path):
    before = heat.stored()
    r = endpoint_call(heat, deployment, method, path, token="")
    fault(r, 401, message="Authentication required")
    assert r.headers["www-authenticate"].startswith("Keystone")
    assert heat.stored() == before


@pytest.mark.parametrize("method,path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_an_unknown_token_is_401_and_changes_nothing(heat, deployment, method, path):
    before = heat.stored()
    r = endpoint_call(heat, deployment, method, path, token=secrets.token_hex(32))
    fault(r, 401, message="The credentials are not valid")
    assert heat.stored() == before


@pytest.mark.parametrize("method,path", ENDPOINTS, ids=ENDPOINT_IDS)
def test_another_projects_token_on_this_projects_path_is_403_and_changes_nothing(
        heat, worker, deployment, method, path):
    intruder = worker.new_project()
    before = heat.stored()
    r = endpoint_call(heat, deployment, method, path, token=intruder.token)
    fault(r, 403, message=f"The token is not valid for project {heat.project.id}")
    assert heat.stored() == before


def admin(worker, method, project_id, rest="tokens", bearer=None):
    token = worker.admin_token if bearer is None else bearer
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{worker.url}/admin/v1/projects/{project_id}/{rest}",
                            headers=headers, timeout=30)


def test_a_revoked_token_is_401_while_the_projects_other_tokens_still_work(heat, worker, config):
    second = ok(admin(worker, "POST", heat.project.id), 201)
    assert set(second) == {"id", "token", "project_id"} and second["project_id"] == heat.project.id
    assert ok(heat.get(f"/software_configs/{config['id']}", token=second["token"]))
    listed = ok(admin(worker, "GET", heat.project.id))["tokens"]
    assert second["id"] in [t["id"] for t in listed] and second["token"] not in str(listed)
    assert all(set(t) == {"id", "project_id", "creation_time"} for t in listed)
    ok(admin(worker, "DELETE", heat.project.id, f"tokens/{second['id']}"), 204)
    assert second["id"] not in [t["id"] for t in ok(admin(worker, "GET", heat.project.id))["tokens"]]
    before = heat.stored()
    fault(heat.get(f"/software_configs/{config['id']}", token=second["token"]), 401,
          message="The credentials are not valid")
    fault(heat.post("/software_configs", token=second["token"], json={"name": "x"}), 401)
    assert heat.stored() == before
    fault(admin(worker, "DELETE", heat.project.id, f"tokens/{second['id']}"), 404)


@pytest.mark.parametrize("method,rest", [("POST", "tokens"), ("GET", "tokens"), ("DELETE", "tokens/some-id")])
@pytest.mark.parametrize("bearer", ["", "wrong-admin-token", "Basic"])
def test_the_admin_api_without_the_right_bearer_is_401(worker, project, heat, method, rest, bearer):
    if bearer == "Basic":
        r = requests.request(method, f"{worker.url}/admin/v1/projects/{project.id}/{rest}",
                             headers={"Authorization": f"Basic {worker.admin_token}"}, timeout=30)
    else:
        r = admin(worker, method, project.id, rest, bearer=bearer)
    fault(r, 401)
    assert heat.configs() == []  # the project's token still works: nothing was revoked


@pytest.mark.parametrize("bad", ["short", "0123456789abcdef0123456789abcde_"])
def test_the_admin_api_with_a_bad_project_id_is_400(worker, bad):
    err = fault(admin(worker, "POST", bad), 400, errors=[("/project_id", "pattern")])
    assert "32 letters and digits" in err["message"]


def test_the_admin_api_answers_405_for_a_wrong_method(worker, project):
    r = admin(worker, "PUT", project.id)
    fault(r, 405)
    assert r.headers["allow"] == "GET, POST"


# --- project isolation ---------------------------------------------------------------------------

def test_project_b_gets_403_for_every_call_on_project_a_paths_and_changes_nothing(
        heat, worker, deployment):
    b = worker.new_project()
    before = heat.stored()
    cfg, dep = deployment["config_id"], deployment["id"]
    for method, path, body in [
        ("GET", "/software_configs", None), ("GET", f"/software_configs/{cfg}", None),
        ("DELETE", f"/software_configs/{cfg}", None), ("GET", "/software_deployments", None),
        ("GET", f"/software_deployments/{dep}", None),
        ("PUT", f"/software_deployments/{dep}", {"status": "FAILED"}),
        ("DELETE", f"/software_deployments/{dep}", None),
        ("GET", "/software_deployments/metadata/server-1", None),
        ("POST", "/software_deployments", {"config_id": cfg, "server_id": "b-server"}),
    ]:
        fault(heat.call(method, path, token=b.token, json=body), 403)
    assert heat.stored() == before


def test_project_b_on_its_own_path_gets_404_for_project_a_ids_and_changes_nothing(
        heat, worker, api, deployment):
    b = Heat(api, worker.new_project())
    before = heat.stored()
    cfg, dep = deployment["config_id"], deployment["id"]
    fault(b.get(f"/software_configs/{cfg}"), 404, message=f"Software config with id {cfg} not found")
    fault(b.delete(f"/software_configs/{cfg}"), 404)
    fault(b.get(f"/software_deployments/{dep}"), 404, message=f"Deployment with id {dep} not found")
    fault(b.put(f"/software_deployments/{dep}", json={"status": "FAILED"}), 404)
    fault(b.delete(f"/software_deployments/{dep}"), 404)
    fault(b.post("/software_deployments", json={"config_id": cfg, "server_id": "server-1"}), 404,
          message=f"Software config with id {cfg} not found")
    assert b.configs() == [] and b.deployments() == [] and b.deployments("server-1") == []
    assert ok(b.get("/software_deployments/metadata/server-1")) == {"metadata": []}
    assert heat.stored() == before


# --- scale ---------------------------------------------------------------------------------------

def test_a_server_with_1000_deployments_lists_them_all_oldest_first_within_kv_limits(
        heat, config, record_property):
    created = []
    for batch in range(10):
        items = [{"config_id": config["id"], "server_id": "busy", "action": f"B{batch}-{i}"}
                 for i in range(100)]
        r = heat.post("/software_deployments", json=items)
        created += ok(r)["software_deployments"]
        write_ops = int(r.headers["x-kv-ops"])
        assert write_ops < 1000, f"a batch of 100 took {write_ops} KV operations"
    r = heat.get("/software_deployments", params={"server_id": "busy"})
    listed = ok(r)["software_deployments"]
    ops = int(r.headers["x-kv-ops"])
    record_property("kv_ops_list_1000", ops)
    print(f"\nGET ?server_id= over 1,000 deployments: {ops} KV operations")
    assert len(listed) == 1000
    assert [d["id"] for d in listed] == [d["id"] for d in created]
    assert listed == created
    assert ops <= 50, f"listing 1,000 deployments took {ops} KV operations (Workers allow 1,000)"

    md = heat.get("/software_deployments/metadata/busy")
    assert len(ok(md)["metadata"]) == 1000
    md_ops = int(md.headers["x-kv-ops"])
    record_property("kv_ops_metadata_1000", md_ops)
    print(f"GET metadata over 1,000 deployments: {md_ops} KV operations")
    assert md_ops <= 50, f"metadata for 1,000 deployments took {md_ops} KV operations"


# --- durability ----------------------------------------------------------------------------------

def test_data_and_tokens_survive_a_worker_restart(workdir):
    w = Worker(workdir / "restart-state", admin_token=secrets.token_hex(32))
    w.start()
    try:
        project = w.new_project()
        h = Heat(Api(w.url), project)
        cfg = h.create_config(name="durable", group="script", config="echo",
                              inputs=[{"name": "a", "default": 1}])
        dep = h.create_deployment(config_id=cfg["id"], server_id="vm", input_values={"a": 2})
        updated = ok(h.put(f"/software_deployments/{dep['id']}",
                           json={"status": "COMPLETE", "output_values": {"o": "x"}}))
        before = h.stored()
        metadata = ok(h.get("/software_deployments/metadata/vm"))
        etag = h.get(f"/software_deployments/{dep['id']}").headers["etag"]

        w.restart()

        assert h.stored() == before
        assert before[0] == [cfg] and before[1] == [updated["software_deployment"]]
        assert ok(h.get("/software_deployments/metadata/vm")) == metadata
        assert h.get(f"/software_deployments/{dep['id']}").headers["etag"] == etag
        fault(h.get("/software_configs", token=secrets.token_hex(32)), 401)
    finally:
        w.stop()
