"""Does the time of an AK/SK refusal tell which access keys exist?

Starts the Worker under `wrangler dev` (fresh local KV), issues an access key, revokes another,
then sends interleaved signed requests (`POST /v1/applications/list`) that must all be refused 401
with the same body: a known key with a wrong secret, an unknown key of the issued form, a revoked
key, and a malformed key (170 `/`, which once went past KV's key limit). Prints the median and the
90th percentile of each class's latency, and the spread of the medians.

    .venv/bin/python bench/auth_timing.py [--tries 300] [--root DIR]

`--root` runs the Worker of another checkout (its build/ must exist), to compare before and after.
Timings on this shared machine are noisy: compare classes within one run, never across runs.
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests/e2e"))
import conftest  # noqa: E402  (the e2e suite's wrangler dev harness)
from huawei_signer import Signed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tries", type=int, default=300)
    ap.add_argument("--root", type=Path, default=HERE.parent)
    args = ap.parse_args()
    conftest.ROOT = args.root.resolve()
    w = conftest.Worker(Path(tempfile.mkdtemp()) / "state", admin_token=secrets.token_hex(32))
    w.start()
    try:
        project = w.new_project()
        known = w.new_credentials(project.id)
        revoked = w.new_credentials(project.id)
        r = requests.delete(f"{w.url}/admin/v1/projects/{project.id}/credentials/{revoked['access_key']}",
                            headers={"Authorization": f"Bearer {w.admin_token}"}, timeout=30)
        assert r.status_code == 204, r.text
        classes = {
            "known key, wrong secret": Signed(w.url, known["access_key"], "0" * 40, project.id),
            "unknown key": Signed(w.url, "0123456789ABCDEF0123", "0" * 40, project.id),
            "revoked key": Signed(w.url, revoked["access_key"], revoked["secret_key"], project.id),
            "malformed key (170 /)": Signed(w.url, "/" * 170, "0" * 40, project.id),
        }
        body = {"project_id": project.id}
        session = requests.Session()
        times: dict[str, list[float]] = {name: [] for name in classes}
        answers: dict[str, set] = {name: set() for name in classes}
        for _ in range(20):  # warm-up: caches and the JIT
            for signer in classes.values():
                session.send(requests.Request(**_req(signer, body)).prepare(), timeout=30)
        for _ in range(args.tries):
            for name, signer in classes.items():
                prepared = requests.Request(**_req(signer, body)).prepare()
                t0 = time.perf_counter()
                res = session.send(prepared, timeout=30)
                times[name].append((time.perf_counter() - t0) * 1000)
                answers[name].add((res.status_code, res.text))
        print(f"{args.tries} interleaved tries per class against {args.root}")
        print("| class | answers | median ms | p90 ms |")
        print("|---|---|---:|---:|")
        medians = []
        for name, ts in times.items():
            ts.sort()
            med = statistics.median(ts)
            medians.append(med)
            codes = ", ".join(sorted({str(a[0]) for a in answers[name]}))
            print(f"| {name} | {codes} | {med:.3f} | {ts[int(len(ts) * 0.9)]:.3f} |")
        bodies = {a[1] for s in answers.values() for a in s}
        print(f"distinct response bodies across classes: {len(bodies)}")
        print(f"spread of medians: {max(medians) - min(medians):.3f} ms")
    finally:
        w.stop()


def _req(signer: Signed, body: dict) -> dict:
    p = signer.prepare("POST", "/v1/applications/list", body=body)
    return {"method": p["method"], "url": f"{signer.base}{p['path']}", "headers": p["headers"],
            "data": p["body"]}


if __name__ == "__main__":
    main()
