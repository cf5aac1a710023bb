"""Load benchmark of deploy-edge under `wrangler dev`, normalised by a no-op Worker.

For each scenario it runs wrk (-t1 -c8 -d{DURATION}s --latency) and reports requests per second,
p50/p99 latency, non-2xx responses, the KV operations one request costs (X-KV-Ops), and the
share of the no-op Worker's requests per second measured in the same run.

Usage: bench/run.sh [--duration 10] [--only create,show] [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "scripts"))
from wrangler_dev import WranglerDev  # noqa: E402  (scripts/wrangler-dev.mjs, the one launcher)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_wrangler(cwd: Path, port: int, state: Path, extra: list[str]) -> WranglerDev:
    """wrangler dev for the wrangler.toml in `cwd`, through the project's launcher
    (scripts/wrangler-dev.mjs), at log level error; `extra`: more wrangler dev arguments."""
    return WranglerDev.start(config=cwd / "wrangler.toml", port=port, persist_to=state,
                             log_level="error", args=extra)


def stop(proc: WranglerDev) -> None:
    proc.stop()


def wrk(url: str, script: str | None, duration: int, threads: int = 1, conns: int = 8) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--latency", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        if script:
            f.write(script)
            cmd[1:1] = ["-s", f.name]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "requests": int(total.group(1)) if total else 0,
            "out": out}


def lua(method: str, headers: dict, body: str | None = None, bodies: list[str] | None = None) -> str:
    hdrs = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    if bodies:
        items = ",\n".join(json.dumps(b) for b in bodies)
        return f"""wrk.method = "{method}"
{hdrs}
local bodies = {{ {items} }}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
"""
    b = f"wrk.body = {json.dumps(body)}" if body else ""
    return f'wrk.method = "{method}"\n{hdrs}\n{b}\n'


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--only", default="")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of every scenario, the no-op measured in each: the share is the median of the rounds' (machine load drifts within a run)")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))

    tmp = Path(tempfile.mkdtemp(prefix="deploy-edge-bench-"))
    admin = secrets.token_hex(16)
    app_port, noop_port = free_port(), free_port()
    app = start_wrangler(ROOT, app_port, tmp / "app", ["--var", f"ADMIN_TOKEN:{admin}", "--var", f"CREDENTIALS_KEY:{secrets.token_hex(32)}", "--var", "EXPOSE_KV_OPS:true"])
    noop = start_wrangler(BENCH / "noop", noop_port, tmp / "noop", [])
    try:
        base = f"http://127.0.0.1:{app_port}"
        project = secrets.token_hex(16)
        tok = requests.post(f"{base}/admin/v1/projects/{project}/tokens", headers={"Authorization": f"Bearer {admin}"}).json()["token"]
        h = {"X-Auth-Token": tok, "Content-Type": "application/json", "Accept": "application/json"}
        p = f"{base}/v1/{project}"
        cfg = requests.post(f"{p}/software_configs", headers=h, json={"name": "bench", "group": "script", "config": "#!/bin/sh\necho hi", "inputs": [{"name": "foo"}]}).json()["software_config"]["id"]
        dep = requests.post(f"{p}/software_deployments", headers=h, json={"config_id": cfg, "server_id": "bench-show", "action": "CREATE", "status": "IN_PROGRESS"}).json()["software_deployment"]["id"]
        batch = [{"config_id": cfg, "server_id": "bench-list", "input_values": {"foo": i}} for i in range(50)]
        assert requests.post(f"{p}/software_deployments", headers=h, json=batch).status_code == 200

        create_bodies = [json.dumps({"config_id": cfg, "server_id": f"bench-create-{i}", "action": "CREATE", "status": "IN_PROGRESS", "input_values": {"foo": "bar"}}) for i in range(64)]
        update_bodies = [json.dumps({"status": s, "status_reason": "bench", "output_values": {"deploy_status_code": 0, "result": "ok"}}) for s in ("COMPLETE", "IN_PROGRESS")]
        noop_url = f"http://127.0.0.1:{noop_port}"
        requests.get(f"{noop_url}/put")  # so that /get finds its key
        scenarios = {
            "noop": (f"{noop_url}/", None, None),
            "noop + 1 KV get (JS)": (f"{noop_url}/get", None, None),
            "noop + 1 KV put (JS)": (f"{noop_url}/put", None, None),
            "healthz": (f"{base}/healthz", None, None),
            "create": (f"{p}/software_deployments", lua("POST", h, bodies=create_bodies), ("POST", f"{p}/software_deployments", create_bodies[0])),
            "show": (f"{p}/software_deployments/{dep}", lua("GET", h), ("GET", f"{p}/software_deployments/{dep}", None)),
            "update": (f"{p}/software_deployments/{dep}", lua("PUT", h, bodies=update_bodies), ("PUT", f"{p}/software_deployments/{dep}", update_bodies[0])),
            "list-by-server (50)": (f"{p}/software_deployments?server_id=bench-list", lua("GET", h), ("GET", f"{p}/software_deployments?server_id=bench-list", None)),
        }
        extra = BENCH / "scenarios.py"
        if extra.exists():
            ns: dict = {"__file__": str(extra)}
            exec(compile(extra.read_text(), str(extra), "exec"), ns)
            scenarios.update(ns["scenarios"](base=base, admin=admin, lua=lua))

        rounds: list[dict] = []
        for round_no in range(args.repeat):
            results = {}
            for name, (url, script, probe) in scenarios.items():
                if only and name not in only and not name.startswith("noop"):
                    continue
                kv_ops = None
                if probe:
                    # Two requests first: the second (with the isolate's cache warm, as under load)
                    # gives X-KV-Ops; both must succeed.
                    m, u, b, *rest = probe
                    for _ in range(2):
                        r = requests.request(m, u, headers=rest[0] if rest else h, data=b)
                        if not r.ok:
                            raise RuntimeError(f"{name}: probe answered {r.status_code}: {r.text[:300]}")
                    kv_ops = r.headers.get("x-kv-ops")
                results[name] = wrk(url, script, args.duration) | {"kv_ops": kv_ops}
                results[name]["share"] = results[name]["rps"] / results["noop"]["rps"]
                print(f"  round {round_no + 1}: {name}: {results[name]['rps']:.0f} req/s", file=sys.stderr)
            rounds.append(results)
        print(f"\nwrk -t1 -c8 -d{args.duration}s against wrangler dev on {os.cpu_count()} cores; share = req/s ÷ no-op Worker req/s", end="")
        print(f" in the same round (median of {args.repeat} rounds; a row's other figures are that round's)\n" if args.repeat > 1 else "\n")
        print("| scenario | req/s | share of no-op | p50 | p99 | non-2xx | KV ops/request |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name in rounds[0]:
            r = sorted((round_[name] for round_ in rounds), key=lambda x: x["share"])[len(rounds) // 2]
            print(f"| {name} | {r['rps']:.0f} | {r['share']:.2f} | {r['p50']} | {r['p99']} | {r['non2xx']} | {r['kv_ops'] if r['kv_ops'] is not None else '-'} |")
    finally:
        stop(app)
        stop(noop)


if __name__ == "__main__":
    main()
