"""One CodeArts start fanned out to N hosts (default 1,000), against the Worker under `wrangler dev`
with `EXPOSE_KV_OPS=true`: how long the start takes, the KV operations and SQLite rows it costs
(`X-KV-Ops`, `X-SQL-Rows`), and how long until every host's agent document carries its step.

Seeds one project: 5 clusters of 200 hosts (a cluster's most), an agent URL per host, an
application whose task has two shell actions, and one environment of all N hosts. Then, per
round: `POST /v2/tasks/{task_id}/start`, timed; right after its answer, pollers (16 threads, as
agents would) fetch every host's metadata URL until its document holds the record's first step,
giving the time until the last host sees it. Between rounds the record is stopped (so the next
start may run), which also measures a stop fanned out to N hosts. Reports each round and the
median of the rounds.

A start with N hosts writes, in the project's object: 2 configs, N deployments, N config uses, N
agent documents, N host records and the record, in one transaction; then KV receives the
published ones (configs, deployments, documents).

Usage: .venv/bin/python bench/deploy.py [--hosts 1000] [--rounds 3]
(`bash scripts/build-worker.sh` first).
"""
from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, free_port, start_wrangler, stop  # noqa: E402

CLUSTER_MAX = 200
POLLERS = 16


def counts(r: requests.Response) -> tuple[int, str]:
    return int(r.headers.get("x-kv-ops", "0")), r.headers.get("x-sql-rows", "-")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    admin = secrets.token_hex(16)
    port = free_port()
    state = Path(tempfile.mkdtemp(prefix="deploy-edge-deploy-bench-")) / "state"
    proc = start_wrangler(ROOT, port, state, [
        "--var", f"ADMIN_TOKEN:{admin}", "--var", "EXPOSE_KV_OPS:true",
        "--var", f"CREDENTIALS_KEY:{secrets.token_hex(16)}"])
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    try:
        pid = secrets.token_hex(16)
        token = session.post(f"{base}/admin/v1/projects/{pid}/tokens",
                             headers={"Authorization": f"Bearer {admin}"}).json()["token"]
        h = {"X-Auth-Token": token, "Content-Type": "application/json"}

        def call(method, path, body=None, ok=(200, 201)):
            r = requests.request(method, base + path, headers=h, data=None if body is None else json.dumps(body),
                                 timeout=600)
            assert r.status_code in ok, (method, path, r.status_code, r.text[:500])
            return r

        t0 = time.monotonic()
        hosts: list[tuple[str, str]] = []  # (group, host)
        groups = []
        for c in range((args.hosts + CLUSTER_MAX - 1) // CLUSTER_MAX):
            groups.append(call("POST", "/v1/resources/host-groups", {
                "project_id": pid, "name": f"fleet_{c}", "os": "linux", "is_proxy_mode": 0}).json()["id"])

        def add(i):
            g = groups[i // CLUSTER_MAX]
            hid = call("POST", f"/v1/resources/host-groups/{g}/hosts", {
                "host_name": f"h{i}", "ip": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", "port": 22,
                "os": "linux", "as_proxy": False,
                "authorization": {"username": "root", "trusted_type": 0, "password": "x"}}).json()["id"]
            url = call("POST", f"/v1/{pid}/servers/{hid}/agent").json()["metadata_url"]
            return g, hid, url

        with ThreadPoolExecutor(4) as pool:
            seeded = list(pool.map(add, range(args.hosts)))
        hosts = [(g, hid) for g, hid, _ in seeded]
        urls = [url for _, _, url in seeded]
        ops = [{"name": n, "params": json.dumps({"script": f"echo {n} ${{version}}"})} for n in ("install", "restart")]
        app = call("POST", "/v1/applications", {
            "project_id": pid, "name": "fleet_app", "is_draft": False, "create_type": "template",
            "arrange_infos": [{"deploy_system": "deployTemplate", "operation_list": ops}]}).json()["result"]
        task = app["arrange_infos"][0]["id"]
        env = call("POST", f"/v1/applications/{app['id']}/environments", {
            "project_id": pid, "name": "fleet", "deploy_type": 0, "os": "linux"}).json()["id"]
        for g in groups:
            ids = [hid for gg, hid in hosts if gg == g]
            call("POST", f"/v1/applications/{app['id']}/environments/{env}/hosts/import",
                 {"group_id": g, "host_ids": ids})
        print(f"seeded {args.hosts} hosts in {len(groups)} clusters with agent URLs in {time.monotonic() - t0:.0f} s",
              flush=True)

        def sees(url: str, config_prefix: str) -> tuple[float, int]:
            polls = 0
            while True:
                polls += 1
                doc = session.get(url, timeout=60).json()
                if any(d["name"].startswith(config_prefix) for d in doc["deployments"]):
                    return time.monotonic(), polls
                time.sleep(0.05)

        # The reference, same run: the same fan-out through Heat's API, 1,000 deployments of one
        # config to the same servers (each with its agent URL) in batches of 100 (the API's most).
        config = call("POST", f"/v1/{pid}/software_configs", {"name": "ref", "group": "script",
                                                              "config": "#!/bin/sh\necho ref"}).json()["software_config"]["id"]
        t = time.monotonic()
        ref_kv = 0
        for i in range(0, len(hosts), 100):
            r = call("POST", f"/v1/{pid}/software_deployments",
                     [{"config_id": config, "server_id": hid, "status": "IN_PROGRESS"} for _, hid in hosts[i:i + 100]])
            ref_kv += counts(r)[0]
        ref_s = time.monotonic() - t
        print(f"reference: {len(hosts)} Heat deployments in {(len(hosts) + 99) // 100} batch creates: {ref_s:.2f} s, "
              f"KV ops {ref_kv}", flush=True)

        rows = []
        for rnd in range(1, args.rounds + 1):
            t = time.monotonic()
            r = call("POST", f"/v2/tasks/{task}/start", {"params": [{"key": "version", "value": str(rnd)}]})
            start_s = time.monotonic() - t
            record = r.json()["id"]
            release = r.json()["release_id"]
            kv, sql = counts(r)
            prefix = f"codearts fleet_app #{release} 1/2"
            with ThreadPoolExecutor(POLLERS) as pool:
                seen = list(pool.map(lambda u: sees(u, prefix), urls))
            all_s = max(at for at, _ in seen) - t
            first = sum(1 for _, polls in seen if polls == 1)
            # Two hosts' agents report step one: what a signal that hands out the next step costs
            # (the second one's: the first also clears the start's outbox entries KV has taken).
            for url in urls[:2]:
                doc = session.get(url, timeout=60).json()
                item = next(d for d in doc["deployments"] if d["name"].startswith(prefix))
                signal_url = next(i["value"] for i in item["inputs"] if i["name"] == "deploy_signal_id")
                sig = session.post(signal_url, json={"deploy_stdout": "ok", "deploy_status_code": 0}, timeout=60)
                assert sig.status_code == 200, sig.text
            gkv, gsql = counts(sig)
            # The second host's last step: a signal that ends a host (no next step to hand out).
            doc = session.get(urls[1], timeout=60).json()
            item = next(d for d in doc["deployments"] if d["name"].startswith(f"codearts fleet_app #{release} 2/2"))
            signal_url = next(i["value"] for i in item["inputs"] if i["name"] == "deploy_signal_id")
            last = session.post(signal_url, json={"deploy_stdout": "ok", "deploy_status_code": 0}, timeout=60)
            assert last.status_code == 200, last.text
            lkv, lsql = counts(last)
            t = time.monotonic()
            s = call("PUT", f"/v2/tasks/{task}/records/{record}/stop", {})
            stop_s = time.monotonic() - t
            skv, ssql = counts(s)
            rows.append((start_s, kv, sql, all_s, stop_s, skv, ssql))
            print(f"round {rnd}: start {start_s:.2f} s (KV ops {kv}, SQL rows read/written {sql}); "
                  f"every host's document carries it {all_s:.2f} s after the start was sent "
                  f"({first} of {len(urls)} at their first poll after the answer); "
                  f"a step's signal: KV ops {gkv}, SQL rows {gsql}; the last step's: KV ops {lkv}, SQL rows {lsql}; "
                  f"stop {stop_s:.2f} s (KV ops {skv}, SQL rows {ssql})", flush=True)
        med = lambda i: statistics.median(r[i] for r in rows)  # noqa: E731
        print(f"\nmedian of {len(rows)} rounds, {args.hosts} hosts: start {med(0):.2f} s "
              f"({med(0) / ref_s:.2f} of the Heat batch creates' {ref_s:.2f} s), "
              f"all documents {med(3):.2f} s, stop {med(4):.2f} s; "
              f"start KV ops {med(1):.0f}, stop KV ops {med(5):.0f}")
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
