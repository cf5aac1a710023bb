"""The stock OpenStack server agents, unmodified, deploying from the real Worker: os-collect-config
polls a server's metadata URL, os-refresh-config runs os-apply-config and heat-agents'
55-heat-config, the `script` hook runs each deployment, and heat-config-notify sends the result to
the deployment's signal URL. Everything the agents write stays under the test's temp folder (see
agents.py); the Worker is checked through the software_deployments API, as a user would.
"""
from __future__ import annotations

import re
import shlex
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from agents import AgentRoot, logs, run_agent_once

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d:\d\d GMT$")
ITEM_KEYS = {"id", "name", "group", "config", "inputs", "outputs", "options", "creation_time"}
AGENT_KEYS = {"server_id", "metadata_url", "metadata_url_issued", "issued_time", "last_poll_time"}
DEPLOY_INPUTS = ["deploy_server_id", "deploy_action", "deploy_signal_transport", "deploy_signal_id",
                 "deploy_signal_verb"]
SERVER = "vm-1"


def ok(r: requests.Response, status: int = 200) -> dict:
    assert r.status_code == status, f"{r.request.method} {r.url}: {r.status_code} {r.text}"
    return r.json() if r.content else {}


class Heat:
    """One project's API (paths relative to `/v1/{project}`) plus the agents' URLs."""

    def __init__(self, api, project, tmp_path: Path):
        self.api, self.project, self.tmp = api, project, tmp_path
        self.runs = tmp_path / "runs.log"  # every script run appends "<action> <name>" here

    def call(self, method: str, path: str, **kw) -> requests.Response:
        return self.api.call(method, f"/v1/{self.project.id}{path}", token=self.project.token, **kw)

    def config(self, **body) -> dict:
        return ok(self.call("POST", "/software_configs", json=body))["software_config"]

    def deploy(self, config: dict, server: str = SERVER, **body) -> dict:
        body = {"config_id": config["id"], "server_id": server, "action": "CREATE",
                "status": "IN_PROGRESS", **body}
        return ok(self.call("POST", "/software_deployments", json=body))["software_deployment"]

    def deployment(self, d: dict) -> dict:
        return ok(self.call("GET", f"/software_deployments/{d['id']}"))["software_deployment"]

    def update(self, d: dict, **body) -> dict:
        return ok(self.call("PUT", f"/software_deployments/{d['id']}", json=body))["software_deployment"]

    def issue(self, server: str = SERVER) -> str:
        """POSTs the server's agent resource and returns its metadata URL."""
        agent = ok(self.call("POST", f"/servers/{server}/agent"), 201)
        assert agent["metadata_url_issued"] is True, agent
        return agent["metadata_url"]

    def agent(self, server: str = SERVER) -> dict:
        return ok(self.call("GET", f"/servers/{server}/agent"))

    def document(self, url: str) -> dict:
        r = requests.get(url, timeout=30)
        return ok(r)

    def hello_config(self, name: str = "hello") -> dict:
        """A script config with input `name` and output `result`, logging each run to `runs`."""
        script = (f'#!/bin/sh\necho "$deploy_action $name" >> {shlex.quote(str(self.runs))}\n'
                  'echo "hello $name" > $heat_outputs_path.result\necho "said hello to $name"\n')
        return self.config(name=name, group="script", config=script, inputs=[{"name": "name"}],
                           outputs=[{"name": "result"}])

    def run_lines(self) -> list[str]:
        return self.runs.read_text().splitlines() if self.runs.exists() else []


@pytest.fixture
def heat(api, project, tmp_path) -> Heat:
    return Heat(api, project, tmp_path)


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "server-root"


def inputs_of(item: dict) -> dict:
    return {i["name"]: i["value"] for i in item["inputs"]}


def item_for(doc: dict, name: str) -> dict:
    """The metadata item whose input `name` has the given value."""
    items = [i for i in doc["deployments"] if inputs_of(i).get("name") == name]
    assert len(items) == 1, doc
    return items[0]


def test_the_metadata_url_serves_each_deployment_as_heats_derived_config(heat, worker):
    config = heat.config(name="derived", group="script", config="#!/bin/sh\ntrue\n",
                         inputs=[{"name": "name", "default": "nobody"}, {"name": "n", "type": "Number"}],
                         outputs=[{"name": "result"}], options={"k": "v"})
    heat.deploy(config, input_values={"name": "world", "extra": 7})
    created = ok(heat.call("POST", f"/servers/{SERVER}/agent"), 201)
    assert set(created) == AGENT_KEYS
    assert created["server_id"] == SERVER and created["metadata_url_issued"] is True
    assert created["last_poll_time"] is None
    assert TIME.match(created["issued_time"] or ""), created
    url = created["metadata_url"]
    assert url.startswith(f"{worker.url}/"), url
    assert heat.agent() == created

    r = requests.get(url, timeout=30)  # no auth header, as the agent sends it
    doc = ok(r)
    assert set(doc) == {"deployments", "os-collect-config"}
    assert doc["os-collect-config"] == {"collectors": ["request"], "request": {"metadata_url": url},
                                        "polling_interval": 30}
    [item] = doc["deployments"]
    assert set(item) == ITEM_KEYS
    assert {k: item[k] for k in ("name", "group", "config", "outputs", "options")} == \
        {k: config[k] for k in ("name", "group", "config", "outputs", "options")}
    assert TIME.match(item["creation_time"]), item["creation_time"]
    assert [i["name"] for i in item["inputs"]] == ["name", "n", "extra", *DEPLOY_INPUTS]
    assert all("value" in i for i in item["inputs"]), item["inputs"]
    by_name = {i["name"]: i for i in item["inputs"]}
    assert by_name["name"]["value"] == "world"
    assert by_name["n"]["value"] is None and by_name["n"]["type"] == "Number"
    assert (by_name["extra"]["type"], by_name["extra"]["value"]) == ("String", "7")
    assert inputs_of(item)["deploy_server_id"] == SERVER
    assert inputs_of(item)["deploy_action"] == "CREATE"
    assert inputs_of(item)["deploy_signal_transport"] == "TEMP_URL_SIGNAL"
    assert inputs_of(item)["deploy_signal_id"].startswith(f"{worker.url}/")
    assert inputs_of(item)["deploy_signal_verb"] == "PUT"
    assert all(by_name[n]["type"] == "String" for n in DEPLOY_INPUTS)

    assert IMF_FIXDATE.match(r.headers["last-modified"]), r.headers["last-modified"]
    assert r.headers["etag"]
    again = requests.get(url, timeout=30)
    assert again.json() == doc  # same item id on every poll while nothing changes
    assert again.headers["etag"] == r.headers["etag"]
    head = requests.head(url, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == r.headers["etag"]
    assert head.headers["last-modified"] == r.headers["last-modified"]
    assert TIME.match(heat.agent()["last_poll_time"] or ""), heat.agent()


def test_a_script_deployment_with_an_input_runs_and_its_output_comes_back(heat, root):
    d = heat.deploy(heat.hello_config(), input_values={"name": "world"})
    assert d["status"] == "IN_PROGRESS"
    url = heat.issue()

    proc = run_agent_once(url, root)
    assert proc.returncode == 0, logs(proc)
    got = heat.deployment(d)
    assert (got["status"], got["status_reason"]) == ("COMPLETE", "Outputs received"), logs(proc)
    assert got["output_values"] == {"result": "hello world\n", "deploy_stdout": "said hello to world\n",
                                    "deploy_stderr": "", "deploy_status_code": 0}, logs(proc)
    assert heat.run_lines() == ["CREATE world"]
    assert TIME.match(heat.agent()["last_poll_time"] or "")

    # The next poll gets the same document: os-collect-config does not even start os-refresh-config.
    proc = run_agent_once(url, root)
    assert proc.returncode == 0, logs(proc)
    assert "os-refresh-config" not in proc.stderr, logs(proc)
    assert heat.run_lines() == ["CREATE world"]


def test_a_failing_script_comes_back_failed_with_its_stderr_and_status_code(heat, root):
    config = heat.config(name="fails", group="script", outputs=[{"name": "result"}],
                         config='#!/bin/sh\necho "trying"\necho "it broke" >&2\nexit 3\n')
    d = heat.deploy(config)
    proc = run_agent_once(heat.issue(), root)
    assert proc.returncode == 0, logs(proc)
    got = heat.deployment(d)
    assert got["status"] == "FAILED", logs(proc)
    assert got["status_reason"] == \
        "deploy_status_code : Deployment exited with non-zero status code: 3"
    assert got["output_values"] == {"deploy_stdout": "trying\n", "deploy_stderr": "it broke\n",
                                    "deploy_status_code": 3}


def test_a_second_deployment_of_the_same_config_to_the_same_server_runs_too(heat, root):
    config = heat.hello_config()
    first = heat.deploy(config, input_values={"name": "one"})
    url = heat.issue()
    proc = run_agent_once(url, root)
    assert heat.deployment(first)["status"] == "COMPLETE", logs(proc)

    second = heat.deploy(config, input_values={"name": "two"})
    doc = heat.document(url)
    assert len(doc["deployments"]) == 2
    one, two = item_for(doc, "one"), item_for(doc, "two")
    assert one["id"] != two["id"]
    assert inputs_of(one)["deploy_signal_id"] != inputs_of(two)["deploy_signal_id"]
    proc = run_agent_once(url, root)
    assert proc.returncode == 0, logs(proc)
    a, b = heat.deployment(first), heat.deployment(second)
    assert (a["status"], b["status"]) == ("COMPLETE", "COMPLETE"), logs(proc)
    assert a["output_values"]["result"] == "hello one\n"
    assert b["output_values"]["result"] == "hello two\n"
    # The first deployment kept its item id, so the agent did not run it again.
    assert heat.run_lines() == ["CREATE one", "CREATE two"], logs(proc)
    assert AgentRoot(root).deployed_ids() == {i["id"] for i in doc["deployments"]}


def test_a_redeploy_with_new_input_values_runs_again(heat, root):
    d = heat.deploy(heat.hello_config(), input_values={"name": "before"})
    url = heat.issue()
    old_item = heat.document(url)["deployments"][0]
    proc = run_agent_once(url, root)
    assert heat.deployment(d)["output_values"]["result"] == "hello before\n", logs(proc)

    heat.update(d, input_values={"name": "after"}, status="IN_PROGRESS", action="UPDATE")
    assert heat.deployment(d)["status"] == "IN_PROGRESS"
    new_item = heat.document(url)["deployments"][0]
    assert new_item["id"] != old_item["id"]
    assert inputs_of(new_item)["deploy_action"] == "UPDATE"
    proc = run_agent_once(url, root)
    assert proc.returncode == 0, logs(proc)
    got = heat.deployment(d)
    assert (got["status"], got["status_reason"]) == ("COMPLETE", "Outputs received"), logs(proc)
    assert got["output_values"]["result"] == "hello after\n"
    assert heat.run_lines() == ["CREATE before", "UPDATE after"]


def test_an_unchanged_poll_is_304_and_a_change_is_200_with_a_later_last_modified(heat):
    config = heat.hello_config()
    heat.deploy(config, input_values={"name": "one"})
    url = heat.issue()
    first = requests.get(url, timeout=30)
    ok(first)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert IMF_FIXDATE.match(modified), modified

    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        for method in ("GET", "HEAD"):
            r = requests.request(method, url, headers=headers, timeout=30)
            assert r.status_code == 304, f"{method} {headers}: {r.status_code} {r.text}"
            assert r.content == b""
            assert r.headers.get("etag") == etag

    heat.deploy(config, input_values={"name": "two"})  # within the same second, most likely
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        r = requests.get(url, headers=headers, timeout=30)
        assert r.status_code == 200, f"{headers}: {r.status_code} {r.text}"
        assert len(r.json()["deployments"]) == 2
        assert r.headers["etag"] != etag
        assert IMF_FIXDATE.match(r.headers["last-modified"]), r.headers["last-modified"]
        assert parsedate_to_datetime(r.headers["last-modified"]) > parsedate_to_datetime(modified)
    latest = requests.get(url, timeout=30)
    assert requests.get(url, headers={"If-None-Match": latest.headers["etag"]},
                        timeout=30).status_code == 304


def kv_ops(r: requests.Response) -> int:
    return int(r.headers["x-kv-ops"])


def sql_rows(r: requests.Response) -> tuple[int, int]:
    """SQLite rows (read, written) of what a project's object answered."""
    read, written = r.headers["x-sql-rows"].split(",")
    return int(read), int(written)


def test_a_poll_reads_one_kv_key_and_only_a_redeploy_rewrites_the_document(heat, record_property):
    config = heat.hello_config()
    d = heat.deploy(config, input_values={"name": "one"})
    url = heat.issue()
    # Polls write nothing to KV: the contact goes to the project's object after the answer.
    first = requests.get(url, timeout=30)
    assert kv_ops(first) == 1, first.headers
    etag = first.headers["etag"]
    unchanged = requests.get(url, headers={"If-None-Match": etag}, timeout=30)
    assert (unchanged.status_code, kv_ops(unchanged)) == (304, 1)
    # A status-only update leaves the document alone: its record is decided in the object's
    # SQLite, and KV gets the one record.
    status_only = heat.call("PUT", f"/software_deployments/{d['id']}", json={"status": "COMPLETE"})
    assert (status_only.status_code, kv_ops(status_only)) == (200, 1)
    assert requests.get(url, headers={"If-None-Match": etag}, timeout=30).status_code == 304
    redeploy = heat.call("PUT", f"/software_deployments/{d['id']}",
                         json={"input_values": {"name": "two"}, "status": "IN_PROGRESS"})
    assert kv_ops(redeploy) == 2, "the deployment and the server's new document, published"
    changed = requests.get(url, headers={"If-None-Match": etag}, timeout=30)
    assert (changed.status_code, kv_ops(changed)) == (200, 1)
    signal = inputs_of(changed.json()["deployments"][0])["deploy_signal_id"]
    signalled = requests.put(signal, json={"deploy_status_code": 0}, timeout=30)
    assert (signalled.status_code, kv_ops(signalled)) == (200, 1), "the record, published"
    status = heat.call("GET", f"/servers/{SERVER}/agent")
    assert status.json()["last_poll_time"] is not None, "the object has the agent's contact"
    for name, r in [("unchanged_poll", unchanged), ("changed_poll", changed), ("signal", signalled),
                    ("redeploy", redeploy), ("status_update", status_only)]:
        record_property(f"kv_ops_{name}", kv_ops(r))
    rows = {name: sql_rows(r) for name, r in
            [("status_update", status_only), ("redeploy", redeploy), ("signal", signalled)]}
    for name, (read, written) in rows.items():
        record_property(f"sql_rows_{name}", f"{read},{written}")
        assert written >= 1, (name, read, written)
    print(f"KV operations: unchanged poll {kv_ops(unchanged)}, changed poll {kv_ops(changed)}, "
          f"signal {kv_ops(signalled)}, re-deploy {kv_ops(redeploy)}; SQLite rows (read, written): {rows}")


def test_a_revoked_metadata_url_is_404_and_the_agent_runs_nothing(heat, root):
    d = heat.deploy(heat.hello_config(), input_values={"name": "revoked"})
    url = heat.issue()
    signal_url = inputs_of(heat.document(url)["deployments"][0])["deploy_signal_id"]

    r = heat.call("DELETE", f"/servers/{SERVER}/agent")
    assert r.status_code == 204 and r.content == b"", r.text
    agent = heat.agent()
    assert set(agent) == AGENT_KEYS
    assert (agent["server_id"], agent["metadata_url"], agent["metadata_url_issued"],
            agent["issued_time"]) == (SERVER, None, False, None)
    assert requests.get(url, timeout=30).status_code == 404
    assert requests.head(url, timeout=30).status_code == 404
    for method in ("PUT", "POST"):
        r = requests.request(method, signal_url, json={"deploy_status_code": 0}, timeout=30)
        assert r.status_code == 404, f"{method} {signal_url}: {r.status_code} {r.text}"

    proc = run_agent_once(url, root)
    assert proc.returncode == 0, logs(proc)
    assert heat.run_lines() == [], logs(proc)
    assert AgentRoot(root).deployed_ids() == set(), logs(proc)
    got = heat.deployment(d)
    assert (got["status"], got["output_values"]) == ("IN_PROGRESS", None)

    new_url = heat.issue()
    assert new_url != url
    assert requests.get(url, timeout=30).status_code == 404
    assert heat.document(new_url)["os-collect-config"]["request"]["metadata_url"] == new_url


def test_a_timed_out_deployment_reads_failed_and_a_late_signal_does_not_revive_it(heat, root):
    timeout = 2
    started = time.monotonic()
    d = heat.deploy(heat.hello_config(), input_values={"name": "late"}, timeout=timeout)
    assert heat.deployment(d)["status"] == "IN_PROGRESS"
    while heat.deployment(d)["status"] == "IN_PROGRESS" and time.monotonic() - started < 15:
        time.sleep(0.25)
    got = heat.deployment(d)
    assert time.monotonic() - started >= timeout - 0.5
    assert (got["status"], got["status_reason"]) == \
        ("FAILED", f"Deployment timed out after {timeout} seconds")
    assert got["output_values"] is None

    proc = run_agent_once(heat.issue(), root)  # the agent runs it late and signals
    assert proc.returncode == 0, logs(proc)
    assert heat.run_lines() == ["CREATE late"], logs(proc)
    statuses = [int(s) for s in re.findall(r"Response <Response \[(\d+)\]>", proc.stderr + proc.stdout)]
    assert len(statuses) == 1 and statuses[0] < 500, logs(proc)
    assert heat.deployment(d) == got
