"""What each kind of request costs in storage operations: KV operations (`X-KV-Ops`) and, for what a
project's object answered, SQLite rows read and written (`X-SQL-Rows`), against the Worker under
`wrangler dev` with `EXPOSE_KV_OPS=true`. Each row is one request of that kind on a warm isolate
(token and configs cached), measured three times; the table gives the middle value. An object's
transaction also removes the outbox entries of earlier writes that KV has taken (one row written
each, later): each measured request follows one that removed them, so its rows are its own.
Prints the markdown table the README's storage section shows.

Usage: .venv/bin/python bench/costs.py
"""
from __future__ import annotations

import secrets
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, free_port, start_wrangler, stop  # noqa: E402


def counts(r: requests.Response) -> tuple[int, str]:
    rows = r.headers.get("x-sql-rows")
    return int(r.headers["x-kv-ops"]), (rows.replace(", ", " / ") if rows else "-")


def main() -> None:
    admin = secrets.token_hex(16)
    port = free_port()
    # The state and wrangler's log (the launcher writes it beside the state) in one fresh directory.
    state = Path(tempfile.mkdtemp(prefix="deploy-edge-costs-")) / "state"
    proc = start_wrangler(ROOT, port, state, [
        "--var", f"ADMIN_TOKEN:{admin}", "--var", "EXPOSE_KV_OPS:true",
        "--var", f"CREDENTIALS_KEY:{secrets.token_hex(16)}"])
    base = f"http://127.0.0.1:{port}"
    try:
        project = secrets.token_hex(16)
        token = requests.post(f"{base}/admin/v1/projects/{project}/tokens",
                              headers={"Authorization": f"Bearer {admin}"}).json()["token"]
        h = {"X-Auth-Token": token}
        v1 = f"{base}/v1/{project}"

        def call(method, path, **kw):
            url = path if path.startswith("http") else v1 + path
            r = requests.request(method, url, headers={**h, **kw.pop("headers", {})}, timeout=60, **kw)
            assert r.status_code < 400, (method, path, r.status_code, r.text)
            return r

        config = call("POST", "/software_configs", json={"name": "c", "config": "#!/bin/sh"}).json()["software_config"]["id"]
        for i in range(50):
            call("POST", "/software_deployments", json={"config_id": config, "server_id": "listed"})
        call("POST", "/servers/agent-1/agent")
        rows: dict[str, list] = {}

        def measure(label, make):
            call("GET", "/servers/agent-1/agent")  # removes the outbox entries KV took earlier
            rows.setdefault(label, []).append(counts(make()))

        for round_ in range(3):
            d = call("POST", "/software_deployments", json={"config_id": config, "server_id": f"s{round_}"}).json()["software_deployment"]["id"]
            agent = call("POST", "/software_deployments", json={"config_id": config, "server_id": "agent-1",
                                                               "status": "IN_PROGRESS"}).json()["software_deployment"]["id"]
            measure("create a config", lambda: call("POST", "/software_configs", json={"name": "x"}))
            measure("create a deployment", lambda: call("POST", "/software_deployments",
                                                        json={"config_id": config, "server_id": f"new{round_}"}))
            measure("… on a server with an agent URL", lambda: call("POST", "/software_deployments",
                                                                  json={"config_id": config, "server_id": "agent-1"}))
            measure("create a batch of 10 (10 servers)", lambda: call("POST", "/software_deployments", json=[
                {"config_id": config, "server_id": f"b{round_}-{i}"} for i in range(10)]))
            measure("show a deployment", lambda: call("GET", f"/software_deployments/{d}"))
            measure("update a deployment (status, outputs)", lambda: call("PUT", f"/software_deployments/{d}",
                                                                          json={"status": "COMPLETE"}))
            measure("re-deploy (new inputs) with an agent URL", lambda: call("PUT", f"/software_deployments/{agent}",
                                                                            json={"input_values": {"n": round_}}))
            measure("list one server's 50 deployments", lambda: call("GET", "/software_deployments?server_id=listed"))
            server = f"agent-r{round_}"
            url = call("POST", f"/servers/{server}/agent").json()["metadata_url"]
            call("POST", "/software_deployments", json={"config_id": config, "server_id": server,
                                                       "status": "IN_PROGRESS"})
            polled = requests.get(url, timeout=60)
            measure("agent poll, changed (200)", lambda: requests.get(url, timeout=60))
            measure("agent poll, unchanged (304)", lambda: requests.get(url, headers={"If-None-Match": polled.headers["etag"]}, timeout=60))
            signal = [i for i in polled.json()["deployments"][-1]["inputs"] if i["name"] == "deploy_signal_id"][0]["value"]
            measure("agent signal", lambda: requests.put(signal, json={"deploy_status_code": 0}, timeout=60))
            measure("agent status (last poll)", lambda: call("GET", "/servers/agent-1/agent"))
            measure("delete a deployment", lambda: call("DELETE", f"/software_deployments/{d}"))
            c2 = call("POST", "/software_configs", json={"name": "gone"}).json()["software_config"]["id"]
            measure("delete a config", lambda: call("DELETE", f"/software_configs/{c2}"))
            name = f"app-{round_}-{secrets.token_hex(3)}"
            measure("create an application", lambda: call("POST", f"{base}/v1/applications", json={
                "project_id": project, "name": name, "is_draft": False, "create_type": "template",
                "arrange_infos": [{"template_id": "ec939bdf63194aca9fad45b3ba05643e"}]}))
        print("| request | KV operations | SQLite rows read / written |")
        print("|---|---:|---:|")
        for label, got in rows.items():
            kv = sorted(g[0] for g in got)[1]
            sql = sorted(got, key=lambda g: g[0])[1][1]
            print(f"| {label} | {kv} | {sql} |")
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
