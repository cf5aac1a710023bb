"""The CodeArts Deploy application API over real HTTP against the Worker in workerd.

Covers every endpoint, each validation rule, project scoping, the documented error codes, the
401 variants, and AK/SK signing (a small signer written here from API-NOTES, independent of the
Rust one) including tampering with each signed part and date skew.
"""
from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
import requests

from huawei_signer import EMPTY_SHA256, Signed, canonical_request, sdk_date, signature

TEMPLATE = "ec939bdf63194aca9fad45b3ba05643e"


# --- the signer (huawei_signer.py) ----------------------------------------------------------------

def test_the_signer_reproduces_the_published_vectors():
    h = {"Host": "service.endpoint.myhuaweicloud.com", "X-Sdk-Date": "20200608T023900Z"}
    signed = ["host", "x-sdk-date"]
    get = canonical_request("GET", "/resources", "size=1", h, signed, b"")
    assert get.endswith(EMPTY_SHA256)
    assert signature("SecretKey", "20200608T023900Z", get) == \
        "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
    post = canonical_request("POST", "/resources", "size=1", h, signed, b'{"name":"test","id":1}')
    assert signature("SecretKey", "20200608T023900Z", post) == \
        "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"


# --- fixtures and helpers ------------------------------------------------------------------------

@pytest.fixture
def ca(worker, api):
    return CodeArts(worker, api)


class CodeArts:
    """A fresh project with a token, and token-authenticated calls."""

    def __init__(self, worker, api):
        self.worker, self.api = worker, api
        self.project = worker.new_project()
        self.pid, self.token = self.project.id, self.project.token

    def body(self, name=None, **over):
        b = {"project_id": self.pid, "name": name or f"app_{secrets.token_hex(4)}", "description": "demo",
             "is_draft": False, "create_type": "template", "slave_cluster_id": "",
             "trigger": {"trigger_source": "0"},
             "arrange_infos": [{"deploy_system": "deployTemplate", "template_id": TEMPLATE}]}
        b.update(over)
        return b

    def call(self, method, path, **kw):
        kw.setdefault("token", self.token)
        return self.api.call(method, path, **kw)

    def create(self, name=None, **over):
        r = self.call("POST", "/v1/applications", json=self.body(name, **over))
        assert r.status_code == 200, r.text
        return r.json()["result"]

    def info(self, app_id):
        return self.call("GET", f"/v1/applications/{app_id}/info")

    def list(self, **q):
        body = {"project_id": self.pid, "page": 1, "size": 100}
        body.update(q)
        return self.call("POST", "/v1/applications/list", json=body)

    def exists(self, name):
        return self.call("GET", "/v1/applications/exist", params={"name": name, "project_id": self.pid})

    def kv_snapshot(self):
        """Everything the project can see: its listing and each app's detail."""
        rows = self.list().json()["result"]
        return sorted((a["id"], json.dumps(self.info(a["id"]).json(), sort_keys=True)) for a in rows)


def err(r, status, code):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error_code"] == code, body
    assert body["error_msg"]
    assert len(r.headers["X-Request-Id"]) == 32
    return body


def is_hex32(s):
    return isinstance(s, str) and len(s) == 32 and all(c in "0123456789abcdef" for c in s)


# --- endpoints -----------------------------------------------------------------------------------

def test_create_answers_ids_and_info_shows_the_sdk_detail_shape(ca):
    r = ca.call("POST", "/v1/applications", json=ca.body("my_app-1"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert is_hex32(r.headers["x-request-id"])
    body = r.json()
    assert body["status"] == "success"
    res = body["result"]
    assert is_hex32(res["id"]) and res["name"] == "my_app-1" and isinstance(res["region"], str)
    assert len(res["arrange_infos"]) == 1 and is_hex32(res["arrange_infos"][0]["id"])
    d = ca.info(res["id"]).json()
    assert d["status"] == "success"
    info = d["result"]
    assert info["id"] == res["id"] and info["project_id"] == ca.pid
    assert info["is_disable"] is False and info["is_draft"] is False
    assert info["create_type"] == "template" and info["description"] == "demo"
    assert len(info["create_time"]) == 19 and info["create_time"] == info["update_time"]
    task = info["arrange_infos"][0]
    assert task["id"] == res["arrange_infos"][0]["id"]
    assert task["steps"] == {} and task["is_defaut_permission"] is True
    assert task["template_id"] == TEMPLATE and task["deploy_system"] == "deployTemplate"


def test_request_ids_are_fresh_and_never_echoed(ca, api):
    a = api.get("/healthz", headers={"X-Request-Id": "client-chosen"})
    b = api.get("/healthz")
    assert is_hex32(a.headers["x-request-id"]) and a.headers["x-request-id"] != "client-chosen"
    assert a.headers["x-request-id"] != b.headers["x-request-id"]


def test_the_seed_update_with_real_ids_answers_the_seed_shape(ca):
    app = ca.create("seed_source")
    seed = {
        "id": app["id"], "name": "deployenv20230822192953", "project_id": ca.pid,
        "description": "Update an application.",
        "trigger": {"trigger_source": 0, "artifact_source_system": "", "artifact_type": ""},
        "slave_cluster_id": "", "create_type": "template", "is_draft": True,
        "arrange_infos": [{"id": app["arrange_infos"][0]["id"], "deploy_system": "deployTemplate",
                           "template_id": TEMPLATE, "operation_list": []}],
    }
    r = ca.call("PUT", "/v1/applications", json=seed)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "success"
    assert {k: body["result"][k] for k in ("id", "name", "arrange_infos")} == {
        "id": app["id"], "name": "deployenv20230822192953", "arrange_infos": [{"id": app["arrange_infos"][0]["id"]}]}
    assert body["result"]["is_disable"] is False and isinstance(body["result"]["region"], str)
    info = ca.info(app["id"]).json()["result"]
    assert info["name"] == "deployenv20230822192953" and info["is_draft"] is True
    assert info["description"] == "Update an application."
    assert info["trigger"]["trigger_source"] == "0"
    assert ca.exists("seed_source").json()["result"] is False
    assert ca.exists("deployenv20230822192953").json()["result"] is True


def test_an_update_keeps_unsent_fields_adds_tasks_and_fills_steps(ca):
    app = ca.create("keeper")
    ops = [{"name": "Install (step 1)", "params": json.dumps({"port": 80, "dir": "/opt"}), "code": "x"}]
    r = ca.call("PUT", "/v1/applications", json={
        "id": app["id"], "project_id": ca.pid, "name": "keeper", "is_draft": False, "create_type": "template",
        "arrange_infos": [{"id": app["arrange_infos"][0]["id"], "operation_list": ops}, {"template_id": TEMPLATE}]})
    assert r.status_code == 200, r.text
    tasks = r.json()["result"]["arrange_infos"]
    assert tasks[0]["id"] == app["arrange_infos"][0]["id"] and is_hex32(tasks[1]["id"])
    info = ca.info(app["id"]).json()["result"]
    assert info["description"] == "demo"
    assert info["arrange_infos"][0]["template_id"] == TEMPLATE
    assert info["arrange_infos"][0]["steps"]["step1"]["params"] == {"port": "80", "dir": "/opt"}
    assert info["arrange_infos"][0]["steps"]["step1"]["name"] == "Install (step 1)"


def test_an_update_with_a_task_id_of_another_app_is_rejected(ca):
    a, b = ca.create(), ca.create()
    before = ca.kv_snapshot()
    r = ca.call("PUT", "/v1/applications", json={
        "id": a["id"], "project_id": ca.pid, "name": "renamed", "is_draft": False, "create_type": "template",
        "arrange_infos": [{"id": b["arrange_infos"][0]["id"]}]})
    body = err(r, 400, "EDGE.00000400")
    assert body["errors"][0]["path"] == "/arrange_infos/0/id"
    assert ca.kv_snapshot() == before


def test_list_pages_sorts_searches_and_filters(ca):
    names = ["cherry", "apple", "banana", "apricot"]
    for n in names:
        ca.create(n)
    r = ca.list()
    assert r.status_code == 200
    body = r.json()
    assert body["total_num"] == 4
    row = body["result"][0]
    assert row["name"] == "apricot"  # newest first by default
    assert row["is_disable"] is False and row["execution_state"] == "not_executed"
    assert row["arrange_infos"][0]["state"] == "not_executed"
    for key in ("can_modify", "can_delete", "can_view", "can_execute", "can_copy", "can_manage",
                "can_create_env", "can_disable"):
        assert row[key] is True
    by_name = [a["name"] for a in ca.list(sort_name="name", sort_by="ASC").json()["result"]]
    assert by_name == sorted(names)
    desc = [a["name"] for a in ca.list(sort_name="name", sort_by="DESC", page=2, size=3).json()["result"]]
    assert desc == ["apple"]
    oldest = [a["name"] for a in ca.list(sort_name="startTime", sort_by="ASC").json()["result"]]
    assert oldest == names
    found = ca.list(search="AP", sort_name="name")
    assert found.json()["total_num"] == 2
    assert [a["name"] for a in found.json()["result"]] == ["apple", "apricot"]
    assert ca.list(states=["running"]).json()["total_num"] == 0
    assert ca.list(states=["not_executed", "running"]).json()["total_num"] == 4
    assert ca.list(group_id="no_grouped").json()["total_num"] == 4
    assert ca.list(page=99999).json() == {"total_num": 4, "result": []}


def test_disable_sets_the_flag_and_the_update_time(ca):
    app = ca.create()
    r = ca.call("PUT", f"/v1/applications/{app['id']}/disable", json={"is_disable": True})
    assert r.status_code == 200 and r.json() == {"status": "success"}
    assert ca.info(app["id"]).json()["result"]["is_disable"] is True
    assert ca.list().json()["result"][0]["is_disable"] is True
    r = ca.call("PUT", f"/v1/applications/{app['id']}/disable", json={"is_disable": False})
    assert ca.info(app["id"]).json()["result"]["is_disable"] is False


def test_duplicate_gives_fresh_ids_and_copy_names(ca):
    app = ca.create("orig")
    ca.call("PUT", f"/v1/applications/{app['id']}/disable", json={"is_disable": True})
    # The SDK sends POST /duplicate with Content-Type: application/json and an empty body.
    r1 = ca.call("POST", f"/v1/applications/{app['id']}/duplicate",
                 headers={"Content-Type": "application/json", "Content-Length": "0"}, data=b"")
    assert r1.status_code == 200, r1.text
    c1 = r1.json()["result"]
    assert set(c1) >= {"id", "name", "region", "is_disable"}
    assert c1["name"] == "orig_copy" and c1["is_disable"] is False and is_hex32(c1["id"]) and c1["id"] != app["id"]
    c2 = ca.call("POST", f"/v1/applications/{app['id']}/duplicate").json()["result"]
    assert c2["name"] == "orig_copy_2"
    info = ca.info(c1["id"]).json()["result"]
    assert info["arrange_infos"][0]["id"] != app["arrange_infos"][0]["id"]
    assert info["arrange_infos"][0]["template_id"] == TEMPLATE
    long = ca.create("n" * 128)
    c3 = ca.call("POST", f"/v1/applications/{long['id']}/duplicate").json()["result"]
    assert len(c3["name"]) == 128 and c3["name"].endswith("_copy")


def test_delete_answers_the_app_and_then_404s(ca):
    app = ca.create("doomed")
    r = ca.call("DELETE", f"/v1/applications/{app['id']}")
    assert r.status_code == 200
    assert r.json() == {"status": "success", "result": {**app, "is_disable": False}}
    err(ca.info(app["id"]), 404, "Deploy.00011020")
    err(ca.call("DELETE", f"/v1/applications/{app['id']}"), 404, "Deploy.00011020")
    assert ca.exists("doomed").json()["result"] is False
    ca.create("doomed")  # the name is free again


def test_batch_delete_reports_each_id(ca):
    a, b = ca.create("one"), ca.create("two")
    missing = secrets.token_hex(16)
    r = ca.call("POST", "/v2/applications/batch-delete",
                json={"project_id": ca.pid, "application_ids": [a["id"], missing, b["id"]]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total_num"] == 3
    assert body["result"][0] == {"application_id": a["id"], "application_name": "one", "status": "success", "error_reason": ""}
    assert body["result"][1]["status"] == "error" and missing in body["result"][1]["error_reason"]
    assert body["result"][2]["application_name"] == "two"
    assert ca.list().json()["total_num"] == 0


def test_exist_answers_a_real_boolean(ca):
    ca.create("present")
    r = ca.exists("present")
    assert r.status_code == 200 and r.json() == {"status": "success", "result": True}
    assert ca.exists("absent").json()["result"] is False


# --- errors --------------------------------------------------------------------------------------

def test_a_taken_name_is_deploy_00011001_under_create_update_and_nothing_changes(ca):
    a = ca.create("taken")
    b = ca.create("other")
    before = ca.kv_snapshot()
    err(ca.call("POST", "/v1/applications", json=ca.body("taken")), 400, "Deploy.00011001")
    err(ca.call("PUT", "/v1/applications", json={"id": b["id"], "project_id": ca.pid, "name": "taken",
                                                "is_draft": False, "create_type": "template"}), 400, "Deploy.00011001")
    assert ca.kv_snapshot() == before
    assert a["id"] != b["id"]


def test_names_are_unique_per_project_only(ca, worker, api):
    ca.create("shared")
    other = CodeArts(worker, api)
    other.create("shared")


def test_unknown_ids_are_deploy_00011020(ca):
    ghost = secrets.token_hex(16)
    err(ca.info(ghost), 404, "Deploy.00011020")
    err(ca.info("not-an-id"), 404, "Deploy.00011020")
    err(ca.call("DELETE", f"/v1/applications/{ghost}"), 404, "Deploy.00011020")
    err(ca.call("PUT", f"/v1/applications/{ghost}/disable", json={"is_disable": True}), 404, "Deploy.00011020")
    err(ca.call("POST", f"/v1/applications/{ghost}/duplicate"), 404, "Deploy.00011020")
    err(ca.call("PUT", "/v1/applications", json={"id": ghost, "project_id": ca.pid, "name": "abc",
                                                "is_draft": False, "create_type": "template"}), 404, "Deploy.00011020")


def test_another_projects_applications_are_invisible_and_its_id_is_forbidden(ca, worker, api):
    mine = ca.create("mine")
    other = CodeArts(worker, api)
    before = ca.kv_snapshot()
    err(other.info(mine["id"]), 404, "Deploy.00011020")
    err(other.call("DELETE", f"/v1/applications/{mine['id']}"), 404, "Deploy.00011020")
    err(other.call("PUT", f"/v1/applications/{mine['id']}/disable", json={"is_disable": True}), 404, "Deploy.00011020")
    err(other.call("POST", f"/v1/applications/{mine['id']}/duplicate"), 404, "Deploy.00011020")
    assert other.list().json()["total_num"] == 0
    # Naming my project in a body or query with the other project's token: 403.
    other_calls = [
        ("POST", "/v1/applications", {"json": ca.body("intruder")}),
        ("PUT", "/v1/applications", {"json": {"id": mine["id"], "project_id": ca.pid, "name": "intruder",
                                              "is_draft": False, "create_type": "template"}}),
        ("POST", "/v1/applications/list", {"json": {"project_id": ca.pid, "page": 1, "size": 10}}),
        ("POST", "/v2/applications/batch-delete", {"json": {"project_id": ca.pid, "application_ids": [mine["id"]]}}),
        ("GET", "/v1/applications/exist", {"params": {"name": "mine", "project_id": ca.pid}}),
    ]
    for method, path, kw in other_calls:
        err(other.call(method, path, **kw), 403, "Deploy.00011154")
    err(other.call("POST", "/v1/applications", json=other.body("x_header"), headers={"X-Project-Id": ca.pid}),
        403, "Deploy.00011154")
    assert ca.kv_snapshot() == before


def test_401s_name_missing_and_invalid_credentials(ca, api):
    err(api.post("/v1/applications", json=ca.body()), 401, "DEV.00000001")
    err(api.get(f"/v1/applications/{secrets.token_hex(16)}/info"), 401, "DEV.00000001")
    err(api.post("/v1/applications", json=ca.body(), token="not-a-token"), 401, "DEV.00000002")
    err(api.post("/v1/applications", json=ca.body(), headers={"Authorization": "Basic eDp5"}), 401, "DEV.00000002")
    err(api.post("/v1/applications", json=ca.body(), headers={"Authorization": "SDK-HMAC-SHA256 nonsense"}),
        401, "DEV.00000002")


def test_unknown_paths_and_methods(ca):
    err(ca.call("GET", "/v1/applications/a/b/c"), 404, "EDGE.00000404")
    r = ca.call("GET", "/v1/applications")
    err(r, 405, "EDGE.00000405")
    assert r.headers["allow"] == "POST, PUT"
    err(ca.call("DELETE", "/v2/applications/batch-delete"), 405, "EDGE.00000405")


def test_bodies_must_be_json_objects_of_bounded_size(ca):
    err(ca.call("POST", "/v1/applications", data=b"{", headers={"Content-Type": "application/json"}),
        400, "EDGE.00000400")
    err(ca.call("POST", "/v1/applications", data=b"", headers={"Content-Type": "application/json"}),
        400, "EDGE.00000400")
    err(ca.call("POST", "/v1/applications", data=b"[]", headers={"Content-Type": "application/json"}),
        400, "EDGE.00000400")
    err(ca.call("POST", "/v1/applications", data=b"name=x", headers={"Content-Type": "text/plain"}),
        415, "EDGE.00000415")
    big = ca.body(description="x" * (1024 * 1024 + 1))
    err(ca.call("POST", "/v1/applications", json=big), 413, "EDGE.00000413")


CREATE_CASES = [
    ({"project_id": None}, "/project_id", "required"),
    ({"project_id": "short"}, "/project_id", "pattern"),
    ({"project_id": 5}, "/project_id", "type"),
    ({"name": None}, "/name", "required"),
    ({"name": "ab"}, "/name", "too_short"),
    ({"name": "a" * 129}, "/name", "too_long"),
    ({"name": "has space"}, "/name", "pattern"),
    ({"description": "d" * 1025}, "/description", "too_long"),
    ({"is_draft": None}, "/is_draft", "required"),
    ({"is_draft": "false"}, "/is_draft", "type"),
    ({"create_type": None}, "/create_type", "required"),
    ({"create_type": "blank"}, "/create_type", "enum"),
    ({"slave_cluster_id": "abc"}, "/slave_cluster_id", "pattern"),
    ({"group_id": "g"}, "/group_id", "pattern"),
    ({"trigger": []}, "/trigger", "type"),
    ({"trigger": {"trigger_source": "2"}}, "/trigger/trigger_source", "enum"),
    ({"trigger": {"trigger_source": 3}}, "/trigger/trigger_source", "enum"),
    ({"trigger": {"artifact_type": "zip"}}, "/trigger/artifact_type", "enum"),
    ({"trigger": {"artifact_source_system": "git"}}, "/trigger/artifact_source_system", "enum"),
    ({"trigger": {"when": "now"}}, "/trigger/when", "unknown_field"),
    ({"arrange_infos": {}}, "/arrange_infos", "type"),
    ({"arrange_infos": [{}] * 11}, "/arrange_infos", "too_long"),
    ({"arrange_infos": [{"deploy_system": "ansible"}]}, "/arrange_infos/0/deploy_system", "enum"),
    ({"arrange_infos": [{"template_id": "t"}]}, "/arrange_infos/0/template_id", "pattern"),
    ({"arrange_infos": [{"ansible_type": 2}]}, "/arrange_infos/0/ansible_type", "out_of_range"),
    ({"arrange_infos": [{"id": TEMPLATE}]}, "/arrange_infos/0/id", "unknown_field"),
    ({"arrange_infos": [{"operation_list": [{"name": " x"}]}]}, "/arrange_infos/0/operation_list/0/name", "pattern"),
    ({"arrange_infos": [{"operation_list": [{"name": "a*b"}]}]}, "/arrange_infos/0/operation_list/0/name", "pattern"),
    ({"arrange_infos": [{"operation_list": [{"name": "n" * 129}]}]}, "/arrange_infos/0/operation_list/0/name", "too_long"),
    ({"arrange_infos": [{"operation_list": [{"id": "x"}]}]}, "/arrange_infos/0/operation_list/0/id", "pattern"),
    ({"arrange_infos": [{"operation_list": [{"description": "d" * 1025}]}]},
     "/arrange_infos/0/operation_list/0/description", "too_long"),
    ({"arrange_infos": [{"operation_list": [{"code": "c" * 102401}]}]}, "/arrange_infos/0/operation_list/0/code", "too_long"),
    ({"arrange_infos": [{"operation_list": [{"params": "p" * 204801}]}]},
     "/arrange_infos/0/operation_list/0/params", "too_long"),
    ({"arrange_infos": [{"operation_list": [{"params": "{oops"}]}]},
     "/arrange_infos/0/operation_list/0/params", "invalid_json"),
    ({"arrange_infos": [{"operation_list": [{"entrance": "e" * 1025}]}]},
     "/arrange_infos/0/operation_list/0/entrance", "too_long"),
    ({"arrange_infos": [{"operation_list": [{"version": "v" * 1025}]}]},
     "/arrange_infos/0/operation_list/0/version", "too_long"),
    ({"arrange_infos": [{"operation_list": [{"module_id": "m" * 1025}]}]},
     "/arrange_infos/0/operation_list/0/module_id", "too_long"),
    ({"arrange_infos": [{"operation_list": [{"other": 1}]}]}, "/arrange_infos/0/operation_list/0/other", "unknown_field"),
    ({"agency_urn": "u" * 513}, "/agency_urn", "too_long"),
    ({"slave_resource_type": "s" * 65}, "/slave_resource_type", "too_long"),
    ({"timeout": 86401}, "/timeout", "out_of_range"),
    ({"timeout": "10"}, "/timeout", "type"),
    ({"colour": "red"}, "/colour", "unknown_field"),
]


@pytest.mark.parametrize("change,path,code", CREATE_CASES, ids=[f"{c[1]}:{c[2]}" for c in CREATE_CASES])
def test_each_create_rule_names_its_field(ca, change, path, code):
    body = ca.body()
    for k, v in change.items():
        if v is None:
            body.pop(k)
        else:
            body[k] = v
    r = ca.call("POST", "/v1/applications", json=body)
    e = err(r, 400, "EDGE.00000400")
    assert [(x["path"], x["code"]) for x in e["errors"]] == [(path, code)], e
    assert ca.list().json()["total_num"] == 0


def test_every_problem_is_reported_at_once(ca):
    r = ca.call("POST", "/v1/applications", json={"name": "x y", "is_draft": 1})
    e = err(r, 400, "EDGE.00000400")
    assert [(x["path"], x["code"]) for x in e["errors"]] == [
        ("/project_id", "required"), ("/name", "pattern"), ("/is_draft", "type"), ("/create_type", "required")]
    assert "name" in e["error_msg"] and "create_type" in e["error_msg"]


def test_update_rules(ca):
    app = ca.create()
    base = {"id": app["id"], "project_id": ca.pid, "name": "fine", "is_draft": False, "create_type": "template"}
    cases = [
        ({"id": None}, "/id", "required"),
        ({"id": "short"}, "/id", "pattern"),
        ({"arrange_infos": [{"ansible_type": 1}]}, "/arrange_infos/0/ansible_type", "unknown_field"),
        ({"arrange_infos": [{"id": "x"}]}, "/arrange_infos/0/id", "pattern"),
        ({"arrange_infos": [{"id": app["arrange_infos"][0]["id"]}] * 2}, "/arrange_infos/1/id", "duplicate"),
    ]
    for change, path, code in cases:
        body = dict(base)
        for k, v in change.items():
            if v is None:
                body.pop(k)
            else:
                body[k] = v
        e = err(ca.call("PUT", "/v1/applications", json=body), 400, "EDGE.00000400")
        assert [(x["path"], x["code"]) for x in e["errors"]] == [(path, code)], (change, e)


@pytest.mark.parametrize("change,path,code", [
    ({"page": None}, "/page", "required"),
    ({"page": 0}, "/page", "out_of_range"),
    ({"page": 100000}, "/page", "out_of_range"),
    ({"size": None}, "/size", "required"),
    ({"size": 0}, "/size", "out_of_range"),
    ({"size": 101}, "/size", "out_of_range"),
    ({"size": "10"}, "/size", "type"),
    ({"sort_name": "id"}, "/sort_name", "enum"),
    ({"sort_by": "asc"}, "/sort_by", "enum"),
    ({"states": ["done"]}, "/states/0", "enum"),
    ({"states": "running"}, "/states", "type"),
    ({"search": "s" * 129}, "/search", "too_long"),
    ({"group_id": "grp"}, "/group_id", "pattern"),
    ({"project_id": None}, "/project_id", "required"),
    ({"limit": 5}, "/limit", "unknown_field"),
])
def test_each_list_rule_names_its_field(ca, change, path, code):
    body = {"project_id": ca.pid, "page": 1, "size": 10}
    for k, v in change.items():
        if v is None:
            body.pop(k)
        else:
            body[k] = v
    e = err(ca.call("POST", "/v1/applications/list", json=body), 400, "EDGE.00000400")
    assert [(x["path"], x["code"]) for x in e["errors"]] == [(path, code)]


def test_disable_batch_delete_and_exist_rules(ca):
    app = ca.create("still_here")
    path = f"/v1/applications/{app['id']}/disable"
    for body, want in [({}, ("/is_disable", "required")), ({"is_disable": "true"}, ("/is_disable", "type")),
                       ({"is_disable": True, "x": 1}, ("/x", "unknown_field"))]:
        e = err(ca.call("PUT", path, json=body), 400, "EDGE.00000400")
        assert [(x["path"], x["code"]) for x in e["errors"]] == [want]
    assert ca.info(app["id"]).json()["result"]["is_disable"] is False
    bd = "/v2/applications/batch-delete"
    for body, want in [
        ({"project_id": ca.pid}, ("/application_ids", "required")),
        ({"project_id": ca.pid, "application_ids": []}, ("/application_ids", "too_short")),
        ({"project_id": ca.pid, "application_ids": [app["id"]] * 2}, ("/application_ids/1", "duplicate")),
        ({"project_id": ca.pid, "application_ids": ["x"]}, ("/application_ids/0", "pattern")),
        ({"project_id": ca.pid, "application_ids": [1]}, ("/application_ids/0", "type")),
        ({"project_id": ca.pid, "application_ids": [secrets.token_hex(16) for _ in range(101)]},
         ("/application_ids", "too_long")),
    ]:
        e = err(ca.call("POST", bd, json=body), 400, "EDGE.00000400")
        assert [(x["path"], x["code"]) for x in e["errors"]] == [want]
    assert ca.exists("still_here").json()["result"] is True
    e = err(ca.call("GET", "/v1/applications/exist", params={"project_id": ca.pid}), 400, "EDGE.00000400")
    assert [(x["path"], x["code"]) for x in e["errors"]] == [("/name", "required")]
    e = err(ca.call("GET", "/v1/applications/exist", params={"name": "a b", "project_id": ca.pid, "x": "1"}),
            400, "EDGE.00000400")
    assert [(x["path"], x["code"]) for x in e["errors"]] == [("/name", "pattern"), ("/x", "unknown_field")] or \
        [(x["path"], x["code"]) for x in e["errors"]] == [("/x", "unknown_field"), ("/name", "pattern")]


# --- AK/SK ---------------------------------------------------------------------------------------

@pytest.fixture
def signer(worker, ca):
    cred = worker.new_credentials(ca.pid)
    assert cred["project_id"] == ca.pid
    assert len(cred["secret_key"]) == 40 and cred["access_key"]
    return Signed(worker.url, cred["access_key"], cred["secret_key"], ca.pid)


def test_admin_credentials_need_the_admin_token(worker, api):
    pid = secrets.token_hex(16)
    assert api.post(f"/admin/v1/projects/{pid}/credentials").status_code == 401
    assert api.post(f"/admin/v1/projects/{pid}/credentials",
                    headers={"Authorization": "Bearer wrong"}).status_code == 401
    r = api.post("/admin/v1/projects/short/credentials", headers={"Authorization": f"Bearer {worker.admin_token}"})
    assert r.status_code == 400
    a, b = worker.new_credentials(pid), worker.new_credentials(pid)
    assert a["access_key"] != b["access_key"] and a["secret_key"] != b["secret_key"]


def test_admin_lists_a_projects_access_keys_without_secret_keys(worker, api):
    admin = {"Authorization": f"Bearer {worker.admin_token}"}
    pid, other = secrets.token_hex(16), secrets.token_hex(16)
    a, b = worker.new_credentials(pid), worker.new_credentials(pid)
    worker.new_credentials(other)
    assert api.get(f"/admin/v1/projects/{pid}/credentials").status_code == 401
    r = api.get(f"/admin/v1/projects/{pid}/credentials", headers=admin)
    assert r.status_code == 200, r.text
    listed = r.json()["credentials"]
    assert {c["access_key"] for c in listed} == {a["access_key"], b["access_key"]}
    assert all(set(c) == {"access_key", "project_id", "creation_time"} and c["project_id"] == pid for c in listed)
    assert a["secret_key"] not in r.text and b["secret_key"] not in r.text
    assert api.delete(f"/admin/v1/projects/{pid}/credentials/{a['access_key']}", headers=admin).status_code == 204
    listed = api.get(f"/admin/v1/projects/{pid}/credentials", headers=admin).json()["credentials"]
    assert [c["access_key"] for c in listed] == [b["access_key"]]


def test_signed_requests_reach_every_endpoint(signer, ca):
    r = signer.call("POST", "/v1/applications", body=ca.body("signed_app"))
    assert r.status_code == 200, r.text
    app = r.json()["result"]
    assert signer.call("GET", f"/v1/applications/{app['id']}/info").status_code == 200
    q = f"name=signed_app&project_id={ca.pid}"
    assert signer.call("GET", "/v1/applications/exist", query=q).json()["result"] is True
    assert signer.call("POST", "/v1/applications/list",
                       body={"project_id": ca.pid, "page": 1, "size": 10}).json()["total_num"] == 1
    assert signer.call("PUT", f"/v1/applications/{app['id']}/disable", body={"is_disable": True}).status_code == 200
    assert signer.call("POST", f"/v1/applications/{app['id']}/duplicate").status_code == 200
    assert signer.call("DELETE", f"/v1/applications/{app['id']}").status_code == 200
    # The canonical query sorts and re-encodes: spaces as %20 and '+' as %2B on the wire, in any order.
    r = signer.call("GET", "/v1/applications/exist", query=f"project_id={ca.pid}&name=my%20app%2Bx")
    e = err(r, 400, "EDGE.00000400")
    assert e["errors"][0]["path"] == "/name"


def test_a_signed_request_without_a_project_header_works(signer, ca, worker):
    bare = Signed(worker.url, signer.ak, signer.sk, None)
    r = bare.call("POST", "/v1/applications/list", body={"project_id": ca.pid, "page": 1, "size": 10})
    assert r.status_code == 200, r.text


def test_tampering_with_any_signed_part_is_dev_00000002(signer, ca):
    app = ca.create("target")
    other = ca.create("other_target")
    cases = {}
    p = signer.prepare("POST", "/v1/applications/list", body={"project_id": ca.pid, "page": 1, "size": 10})
    cases["body"] = {**p, "body": p["body"].replace(b'"size": 10', b'"size": 11')}
    p = signer.prepare("PUT", f"/v1/applications/{app['id']}/disable", body={"is_disable": True})
    cases["method"] = {**p, "method": "POST", "path": f"/v1/applications/{app['id']}/duplicate"}
    p = signer.prepare("GET", f"/v1/applications/{app['id']}/info")
    cases["path"] = {**p, "path": f"/v1/applications/{other['id']}/info"}
    p = signer.prepare("GET", "/v1/applications/exist", query=f"name=target&project_id={ca.pid}")
    cases["query"] = {**p, "query": f"name=other_target&project_id={ca.pid}"}
    cases["added query"] = {**p, "query": p["query"] + "&x=1"}
    for header, value in [("User-Agent", "curl/8"), ("Content-Type", "application/json;charset=UTF-8"),
                          ("X-Sdk-Date", sdk_date(timedelta(seconds=-5))), ("Host", "localhost:1")]:
        p = signer.prepare("GET", f"/v1/applications/{app['id']}/info")
        cases[f"header {header}"] = {**p, "headers": {**p["headers"], header: value}}
    p = signer.prepare("GET", f"/v1/applications/{app['id']}/info")
    cases["signature"] = {**p, "headers": {**p["headers"], "Authorization": p["headers"]["Authorization"][:-1] +
                                           ("0" if p["headers"]["Authorization"][-1] != "0" else "1")}}
    p = signer.prepare("GET", f"/v1/applications/{app['id']}/info", unsigned=("x-project-id",))
    cases["unsigned x-project-id"] = p
    before = ca.kv_snapshot()
    for name, req in cases.items():
        r = signer.send(req)
        assert r.status_code == 401, (name, r.text)
        assert r.json()["error_code"] == "DEV.00000002", name
    assert ca.kv_snapshot() == before


def test_unknown_wrong_and_revoked_keys_answer_identically(signer, ca, worker, api):
    def call(s):
        return s.call("POST", "/v1/applications/list", body={"project_id": ca.pid, "page": 1, "size": 10})
    wrong_sk = call(Signed(worker.url, signer.ak, "0" * 40, ca.pid))
    unknown = call(Signed(worker.url, "NOSUCHACCESSKEY00000", signer.sk, ca.pid))
    for r in (wrong_sk, unknown):
        err(r, 401, "DEV.00000002")
    assert wrong_sk.json() == unknown.json()
    assert call(signer).status_code == 200
    r = api.delete(f"/admin/v1/projects/{ca.pid}/credentials/{signer.ak}",
                   headers={"Authorization": f"Bearer {worker.admin_token}"})
    assert r.status_code == 204
    revoked = call(signer)
    err(revoked, 401, "DEV.00000002")
    assert revoked.json() == unknown.json()
    r = api.delete(f"/admin/v1/projects/{ca.pid}/credentials/{signer.ak}",
                   headers={"Authorization": f"Bearer {worker.admin_token}"})
    assert r.status_code == 404


def test_a_key_cannot_be_revoked_through_another_project(signer, worker, api):
    r = api.delete(f"/admin/v1/projects/{secrets.token_hex(16)}/credentials/{signer.ak}",
                   headers={"Authorization": f"Bearer {worker.admin_token}"})
    assert r.status_code == 404
    assert signer.call("POST", "/v1/applications/list",
                       body={"project_id": signer.project_id, "page": 1, "size": 10}).status_code == 200


def test_a_date_more_than_15_minutes_off_is_dev_00000003(signer, ca):
    body = {"project_id": ca.pid, "page": 1, "size": 10}
    for delta in (timedelta(minutes=-16), timedelta(minutes=16)):
        err(signer.call("POST", "/v1/applications/list", body=body, date=sdk_date(delta)), 401, "DEV.00000003")
    for delta in (timedelta(minutes=-14), timedelta(minutes=14)):
        assert signer.call("POST", "/v1/applications/list", body=body, date=sdk_date(delta)).status_code == 200
    err(signer.call("POST", "/v1/applications/list", body=body, date="2024-01-01T00:00:00Z"), 401, "DEV.00000002")


def test_a_signed_project_header_of_another_project_is_forbidden(signer, ca, worker, api):
    other = CodeArts(worker, api)
    s = Signed(worker.url, signer.ak, signer.sk, other.pid)
    err(s.call("POST", "/v1/applications/list", body={"project_id": other.pid, "page": 1, "size": 10}),
        403, "Deploy.00011154")
    err(signer.call("POST", "/v1/applications/list", body={"project_id": other.pid, "page": 1, "size": 10}),
        403, "Deploy.00011154")
