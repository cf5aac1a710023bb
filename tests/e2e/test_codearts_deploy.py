"""CodeArts applications deployed to hosts by their stock agents: an application's shell actions
start through Huawei's Python SDK (AK/SK signed), each host's os-collect-config + heat-agents
(agents.py, as in test_agents.py) poll the host's agent URL and run the step it is at, and the
record's state (raw signed HTTP: the pinned SDK has no state or stop) reads what they sent back.

Every script appends `<host id> <step> <parameter>` to one log, so a test sees what ran where.
"""
from __future__ import annotations

import json
import shlex
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from agents import logs, run_agent_once
from huawei_signer import Signed
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcodeartsdeploy.v2 import (
    CodeArtsDeployClient, CreateAppRequest, CreateAppRequestBody, CreateEnvironmentRequest,
    CreateHostClusterRequest, CreateHostClusterRequestBody, CreateHostRequest, CreateHostRequestBody,
    DeployV2OperationsDO, DynamicConfigInfo, EnvExecutionBody, EnvironmentRequestBody,
    HostAuthorizationBody, ImportHostToEnvironmentRequest, ImportHostToEnvironmentRequestBody,
    ListDeployTaskHistoryByDateRequest, ShowExecutionParamsRequest, StartDeployTaskRequest,
    TaskV2RequestBody)


class Fleet:
    """One project with a host cluster of agent hosts, an application and its environment."""

    def __init__(self, worker, tmp: Path):
        self.worker, self.tmp = worker, tmp
        self.project = worker.new_project()
        self.pid = self.project.id
        cred = worker.new_credentials(self.pid)
        creds = BasicCredentials(cred["access_key"], cred["secret_key"], self.pid)
        self.sdk = CodeArtsDeployClient.new_builder().with_credentials(creds) \
            .with_endpoints([worker.url]).build()
        self.signed = Signed(worker.url, cred["access_key"], cred["secret_key"], self.pid)
        self.log = tmp / "ran.log"
        self.urls: dict[str, str] = {}
        self.group = self.sdk.create_host_cluster(CreateHostClusterRequest(body=CreateHostClusterRequestBody(
            name="fleet", project_id=self.pid, os="linux", is_proxy_mode=0))).id

    def host(self, name: str, ip: str) -> str:
        auth = HostAuthorizationBody(username="root", password="never-kept", trusted_type=0)
        hid = self.sdk.create_host(CreateHostRequest(group_id=self.group, body=CreateHostRequestBody(
            host_name=name, ip=ip, port=22, os="linux", as_proxy=False, authorization=auth))).id
        r = requests.post(f"{self.project.url}/servers/{hid}/agent",
                          headers={"X-Auth-Token": self.project.token}, timeout=30)
        assert r.status_code == 201, r.text
        self.urls[hid] = r.json()["metadata_url"]
        return hid

    def application(self, name: str, actions: list[tuple[str, str]], hosts: list[str]) -> str:
        """An application whose task runs `actions` (name, script) on an environment of `hosts`;
        returns its task id."""
        ops = [DeployV2OperationsDO(name=n, params=json.dumps({"script": s})) for n, s in actions]
        app = self.sdk.create_app(CreateAppRequest(body=CreateAppRequestBody(
            project_id=self.pid, name=name, is_draft=False, create_type="template",
            arrange_infos=[TaskV2RequestBody(deploy_system="deployTemplate", operation_list=ops)]))).result
        self.app_id = app.id
        env = self.sdk.create_environment(CreateEnvironmentRequest(application_id=app.id, body=EnvironmentRequestBody(
            project_id=self.pid, name="production", deploy_type=0, os="linux"))).id
        self.sdk.import_host_to_environment(ImportHostToEnvironmentRequest(
            application_id=app.id, environment_id=env,
            body=ImportHostToEnvironmentRequestBody(group_id=self.group, host_ids=hosts)))
        self.env = env
        return app.arrange_infos[0].id

    def step(self, label: str, extra: str = "") -> str:
        """A script that logs `<host> <label> ${version}` and prints it."""
        line = f'"$deploy_server_id {label} ${{version}}"'
        return f"echo {line} >> {shlex.quote(str(self.log))}\necho {line}\n{extra}"

    def start(self, task: str, **params) -> str:
        body = EnvExecutionBody(params=[DynamicConfigInfo(key=k, value=v, type="text") for k, v in params.items()])
        started = self.sdk.start_deploy_task(StartDeployTaskRequest(task_id=task, body=body))
        assert len(started.id) == 32 and started.task_id == task
        return started.id

    def run(self, hid: str) -> None:
        """One poll of the host's agents (they run whatever the document holds that is new)."""
        proc = run_agent_once(self.urls[hid], self.tmp / hid)
        assert proc.returncode == 0, logs(proc)

    def state(self, task: str, record: str | None = None) -> dict:
        r = self.signed.call("GET", f"/v2/tasks/{task}/state", query=f"record_id={record}" if record else "")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "success"
        return body["result"]

    def stop(self, task: str, record: str) -> requests.Response:
        return self.signed.call("PUT", f"/v2/tasks/{task}/records/{record}/stop", body={})

    def ran(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def fleet(worker, tmp_path) -> Fleet:
    return Fleet(worker, tmp_path)


def host_steps(state: dict, offset: int) -> dict:
    return {h["host_id"]: h for h in state["step_state"][offset]["hosts"]}


def test_two_shell_actions_run_in_order_on_both_hosts_and_their_output_comes_back(fleet):
    a, b = fleet.host("web-1", "10.0.0.1"), fleet.host("web-2", "10.0.0.2")
    task = fleet.application("shop", [("install", fleet.step("install")),
                                      ("restart", fleet.step("restart", "echo oops >&2"))], [a, b])
    record = fleet.start(task, version="1.2")
    state = fleet.state(task, record)
    assert state["status"] == "running" and state["record_id"] == record and state["release_id"] == 1
    assert [h["status"] for h in host_steps(state, 0).values()] == ["running", "running"]
    assert [h["status"] for h in host_steps(state, 1).values()] == ["pending", "pending"]

    for hid in (a, b):
        fleet.run(hid)  # the first step, then its signal hands the host the second
    assert sorted(fleet.ran()) == sorted([f"{a} install 1.2", f"{b} install 1.2"])
    assert fleet.state(task, record)["status"] == "running"
    for hid in (a, b):
        fleet.run(hid)
    assert fleet.ran()[2:] and sorted(fleet.ran()[2:]) == sorted([f"{a} restart 1.2", f"{b} restart 1.2"])

    state = fleet.state(task)  # the latest record without record_id
    assert state["record_id"] == record
    assert state["status"] == "succeeded" and state["message"] is None and len(state["end_time"]) == 19
    assert [s["status"] for s in state["step_state"]] == ["succeeded", "succeeded"]
    for hid in (a, b):
        install, restart = host_steps(state, 0)[hid], host_steps(state, 1)[hid]
        assert (install["status"], install["exit_code"], install["stdout"]) == ("succeeded", 0, f"{hid} install 1.2\n")
        assert (restart["stdout"], restart["stderr"]) == (f"{hid} restart 1.2\n", "oops\n")
    # The steps are Heat deployments of the hosts, visible to Heat's API too.
    r = requests.get(f"{fleet.project.url}/software_deployments", params={"server_id": a},
                     headers={"X-Auth-Token": fleet.project.token}, timeout=30)
    assert sorted(d["status"] for d in r.json()["software_deployments"]) == ["COMPLETE", "COMPLETE"]


def test_a_failing_action_fails_the_record_names_host_and_step_and_stops_that_host(fleet):
    a, b = fleet.host("db-1", "10.0.1.1"), fleet.host("db-2", "10.0.1.2")
    fails_on_a = f'if [ "$deploy_server_id" = "{a}" ]; then echo "disk full" >&2; exit 3; fi\n'
    task = fleet.application("db_app", [("check", fleet.step("check")),
                                    ("migrate", fleet.step("migrate", fails_on_a)),
                                    ("cleanup", fleet.step("cleanup"))], [a, b])
    record = fleet.start(task, version="7")
    for _ in range(3):
        for hid in (a, b):
            fleet.run(hid)
    ran = fleet.ran()
    assert f"{a} cleanup 7" not in ran, ran  # the host's later steps never run
    assert f"{b} cleanup 7" in ran and f"{a} migrate 7" in ran

    state = fleet.state(task, record)
    assert state["status"] == "failed"
    assert a in state["message"] and '"migrate"' in state["message"] and "step 2" in state["message"]
    hosts = {h["host_id"]: h for h in state["hosts"]}
    assert (hosts[a]["status"], hosts[a]["step"]) == ("failed", "migrate")
    assert hosts[b]["status"] == "succeeded"
    migrate = host_steps(state, 1)[a]
    assert (migrate["status"], migrate["exit_code"], migrate["stderr"]) == ("failed", 3, "disk full\n")
    assert host_steps(state, 2)[a]["status"] == "pending"
    # A new start may follow a finished record.
    assert fleet.start(task, version="8") != record


def test_a_stopped_record_runs_nothing_more_and_a_late_signal_changes_nothing(fleet):
    a, b = fleet.host("api-1", "10.0.2.1"), fleet.host("api-2", "10.0.2.2")
    task = fleet.application("api_app", [("one", fleet.step("one")), ("two", fleet.step("two"))], [a, b])
    record = fleet.start(task, version="1")
    # A second start while this one runs is refused.
    r = fleet.signed.call("POST", f"/v2/tasks/{task}/start", body={})
    assert r.status_code == 400 and r.json()["error_code"] == "EDGE.00000409" and "still running" in r.json()["error_msg"]

    fleet.run(a)  # host a runs step one; host b has not polled yet
    doc = requests.get(fleet.urls[a], timeout=30).json()  # a's document now holds step two
    late = [d for d in doc["deployments"] if "2/2" in d["name"]]
    assert len(late) == 1, doc
    r = fleet.stop(task, record)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "success", "result": {"id": record, "task_id": task}}

    for hid in (a, b):
        fleet.run(hid)
    assert fleet.ran() == [f"{a} one 1"]  # b ran nothing, a nothing more
    # Step two's signal arrives late (as if a had been running it): nothing changes.
    signal = next(i["value"] for i in late[0]["inputs"] if i["name"] == "deploy_signal_id")
    r = requests.post(signal, json={"deploy_stdout": "late", "deploy_status_code": 0}, timeout=30)
    assert r.status_code == 404, r.text
    state = fleet.state(task, record)
    assert state["status"] == "stopped"
    assert host_steps(state, 1)[a]["status"] == "stopped" and host_steps(state, 1)[a]["stdout"] is None
    assert host_steps(state, 0)[b]["status"] == "stopped"
    assert fleet.stop(task, record).status_code == 200  # stopping again changes nothing


def test_a_rollback_runs_an_earlier_records_parameters_and_history_lists_them_in_order(fleet):
    a = fleet.host("app-1", "10.0.3.1")
    task = fleet.application("shop_rb", [("deploy", fleet.step("deploy"))], [a])
    first = fleet.start(task, version="1.0")
    fleet.run(a)
    second = fleet.start(task, version="2.0")
    fleet.run(a)
    assert fleet.state(task, second)["status"] == "succeeded"

    rolled = fleet.sdk.start_deploy_task(StartDeployTaskRequest(task_id=task, body=EnvExecutionBody(record_id=first))).id
    fleet.run(a)
    assert fleet.ran() == [f"{a} deploy 1.0", f"{a} deploy 2.0", f"{a} deploy 1.0"]
    state = fleet.state(task, rolled)
    assert (state["status"], state["type"], state["release_id"]) == ("succeeded", "rollback", 3)

    params = fleet.sdk.show_execution_params(ShowExecutionParamsRequest(task_id=task, record_id=rolled)).body
    assert [(p.name, p.type, p.value) for p in params] == [("version", "text", "1.0")]
    today = datetime.now(timezone.utc).date()
    history = fleet.sdk.list_deploy_task_history_by_date(ListDeployTaskHistoryByDateRequest(
        project_id=fleet.pid, id=task, page=1, size=10, start_date=str(today - timedelta(days=1)),
        end_date=str(today)))
    assert history.total_num == 3
    assert [(h.execution_id, h.release_id, h.state, h.type) for h in history.result] == [
        (rolled, 3, "succeeded", "rollback"), (second, 2, "succeeded", "deploy"), (first, 1, "succeeded", "deploy")]
    page2 = fleet.sdk.list_deploy_task_history_by_date(ListDeployTaskHistoryByDateRequest(
        project_id=fleet.pid, id=task, page=2, size=2, start_date=str(today), end_date=str(today)))
    assert page2.total_num == 3 and [h.release_id for h in page2.result] == [1]
    past = fleet.sdk.list_deploy_task_history_by_date(ListDeployTaskHistoryByDateRequest(
        project_id=fleet.pid, id=task, page=1, size=10, start_date=str(today - timedelta(days=30)),
        end_date=str(today - timedelta(days=1))))
    assert past.total_num == 0 and past.result == []


def test_encrypt_parameters_are_never_kept_or_shown_and_bad_input_is_a_named_4xx(fleet, worker):
    a = fleet.host("sec-1", "10.0.4.1")
    task = fleet.application("sec_app", [("deploy", fleet.step("deploy"))], [a])
    secret = "pw-" + "9f3c2a1b7d6e5f40"
    started = fleet.sdk.start_deploy_task(StartDeployTaskRequest(task_id=task, body=EnvExecutionBody(params=[
        DynamicConfigInfo(key="version", value="3", type="text"),
        DynamicConfigInfo(key="password", value=secret, type="encrypt")]))).id
    params = fleet.sdk.show_execution_params(ShowExecutionParamsRequest(task_id=task, record_id=started)).body
    assert [(p.name, p.type, p.value) for p in params] == [("version", "text", "3"), ("password", "encrypt", "")]
    for f in (p for p in worker.state_dir.rglob("*") if p.is_file()):
        assert secret.encode() not in f.read_bytes(), f

    def error(r, status):
        assert r.status_code == status, r.text
        return r.json()

    other = fleet.application("bad_ops", [], [a])
    body = error(fleet.signed.call("POST", f"/v2/tasks/{other}/start", body={}), 400)
    assert body["error_code"] == "EDGE.00000400" and "operation_list" in body["error_msg"]
    body = error(fleet.signed.call("POST", f"/v2/tasks/{'0' * 32}/start", body={}), 404)
    assert body["error_code"] == "Deploy.00011020"
    body = error(fleet.signed.call("POST", f"/v2/tasks/{task}/start",
                                   body={"params": [{"key": "a b", "value": "1"}], "colour": 1}), 400)
    assert [e["path"] for e in body["errors"]] == ["/colour", "/params/0/key"]
    body = error(fleet.signed.call("GET", f"/v2/tasks/{task}/state", query=f"record_id={'1' * 32}"), 404)
    assert body["error_code"] == "Deploy.00011020"
    body = error(fleet.signed.call("GET", f"/v2/{fleet.pid}/task/{task}/history",
                                   query="end_date=2026-12-31&page=1&size=10&start_date=2026-01-01"), 400)
    assert body["errors"][0]["path"] == "/end_date"
    body = error(fleet.signed.call("PUT", f"/v2/tasks/{task}/records/{'2' * 32}/stop", body={}), 404)
    body = error(fleet.signed.call("PUT", f"/v2/tasks/{task}/records/{started}/stop", body={"why": 1}), 400)
    assert body["errors"][0]["path"] == "/why"
    body = error(fleet.signed.call("GET", f"/v2/history/tasks/{task}/params", query="record_id=x%2Fy"), 400)
    assert body["errors"][0]["path"] == "/record_id" and body["error_code"] == "EDGE.00000400"
    body = error(fleet.signed.call("GET", f"/v2/tasks/{task}/state", query="colour=red"), 400)
    assert body["errors"][0]["path"] == "/colour"
    other_project = worker.new_project()
    r = requests.get(f"{worker.url}/v2/tasks/{task}/state", headers={"X-Auth-Token": other_project.token}, timeout=30)
    assert r.status_code == 404, "another project's task is invisible"
    with pytest.raises(exceptions.ClientRequestException) as e:
        fleet.sdk.list_deploy_task_history_by_date(ListDeployTaskHistoryByDateRequest(
            project_id=other_project.id, id=task, page=1, size=10, start_date="2026-12-01", end_date="2026-12-02"))
    assert e.value.status_code == 403
