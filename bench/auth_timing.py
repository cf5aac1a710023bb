"""Does the time of an AK/SK refusal tell which access keys exist?

Starts the Worker under `wrangler dev` (fresh local KV), issues an access key, revokes another,
then sends interleaved signed requests (`POST /v1/applications/list`) that must all be refused 401
with the same body, as an attacker would try them:

- a known key with a wrong secret (the same key every try: the isolate has it cached);
- a never-issued key of the issued form, **a fresh random one on every try** (an attacker
  enumerating keys never tries one twice, so no cache helps);
- a revoked key (the same one every try);
- a malformed key (170 `/`, which once went past KV's key limit);
- with `--legacy`, a never-issued key of the form issued before keys carried their own MAC
  (20 upper-case hex digits), fresh on every try: looked up in KV as before, unless the Worker runs
  with `LEGACY_ACCESS_KEYS=refuse` (`--legacy refuse`).

Prints each class's KV reads (`X-KV-Ops`, the first and the last try), median and 90th percentile
latency, and for every pair of classes the two-sided Mann-Whitney U test's p-value (normal
approximation with tie correction): a p below 0.01 means the two classes can be told apart.

    .venv/bin/python bench/auth_timing.py [--tries 300] [--legacy accept|refuse] [--root DIR]

`--root` runs the Worker of another checkout (its build/ must exist), to compare before and after.
Timings on this shared machine are noisy: compare classes within one run, never across runs.
"""
from __future__ import annotations

import argparse
import itertools
import math
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

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def fresh_issued_form() -> str:
    """A random key of the form access keys are issued in: `V` and 19 base32 characters."""
    return "V" + "".join(secrets.choice(BASE32) for _ in range(19))


def fresh_legacy_form() -> str:
    return secrets.token_hex(10).upper()


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided p-value of the Mann-Whitney U test (normal approximation, tie-corrected)."""
    pooled = sorted([(x, 0) for x in a] + [(x, 1) for x in b])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    n1, n2 = len(a), len(b)
    r1 = sum(r for r, (_, group) in zip(ranks, pooled) if group == 0)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sigma == 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / sigma
    return math.erfc(max(z, 0) / math.sqrt(2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tries", type=int, default=300)
    ap.add_argument("--root", type=Path, default=HERE.parent)
    ap.add_argument("--legacy", choices=["accept", "refuse"],
                    help="add fresh keys of the old form; run the Worker with LEGACY_ACCESS_KEYS=this")
    args = ap.parse_args()
    conftest.ROOT = args.root.resolve()
    extra = {"LEGACY_ACCESS_KEYS": args.legacy} if args.legacy else {}
    w = conftest.Worker(Path(tempfile.mkdtemp()) / "state", admin_token=secrets.token_hex(32),
                        extra_vars=extra)
    w.start()
    try:
        project = w.new_project()
        known = w.new_credentials(project.id)
        revoked = w.new_credentials(project.id)
        r = requests.delete(f"{w.url}/admin/v1/projects/{project.id}/credentials/{revoked['access_key']}",
                            headers={"Authorization": f"Bearer {w.admin_token}"}, timeout=30)
        assert r.status_code == 204, r.text
        signer = lambda ak, sk="0" * 40: lambda: Signed(w.url, ak, sk, project.id)  # noqa: E731
        classes = {
            "known key, wrong secret": signer(known["access_key"]),
            "never-issued key, fresh each try": lambda: Signed(w.url, fresh_issued_form(), "0" * 40, project.id),
            "revoked key": signer(revoked["access_key"], revoked["secret_key"]),
            "malformed key (170 /)": signer("/" * 170),
        }
        if args.legacy:
            classes[f"never-issued old-form key, fresh each try ({args.legacy})"] = \
                lambda: Signed(w.url, fresh_legacy_form(), "0" * 40, project.id)
        body = {"project_id": project.id}
        session = requests.Session()
        times: dict[str, list[float]] = {name: [] for name in classes}
        answers: dict[str, set] = {name: set() for name in classes}
        kv_reads: dict[str, list[int]] = {name: [] for name in classes}
        for _ in range(20):  # warm-up: caches and the JIT
            for make in classes.values():
                session.send(requests.Request(**_req(make(), body)).prepare(), timeout=30)
        for _ in range(args.tries):
            for name, make in classes.items():
                prepared = requests.Request(**_req(make(), body)).prepare()
                t0 = time.perf_counter()
                res = session.send(prepared, timeout=30)
                times[name].append((time.perf_counter() - t0) * 1000)
                answers[name].add((res.status_code, res.text))
                kv_reads[name].append(int(res.headers.get("x-kv-ops", "-1")))
        print(f"{args.tries} interleaved tries per class against {args.root}"
              + (f", LEGACY_ACCESS_KEYS={args.legacy}" if args.legacy else ""))
        print("| class | answers | KV reads (first, last try) | median ms | p90 ms |")
        print("|---|---|---|---:|---:|")
        for name, ts in times.items():
            s = sorted(ts)
            codes = ", ".join(sorted({str(a[0]) for a in answers[name]}))
            reads = f"{kv_reads[name][0]}, {kv_reads[name][-1]}"
            print(f"| {name} | {codes} | {reads} | {statistics.median(s):.3f} | {s[int(len(s) * 0.9)]:.3f} |")
        bodies = {a[1] for s in answers.values() for a in s}
        print(f"\ndistinct response bodies across classes: {len(bodies)}")
        print("\n| pair | Mann-Whitney p |")
        print("|---|---:|")
        for a, b in itertools.combinations(times, 2):
            p = mann_whitney_p(times[a], times[b])
            print(f"| {a} vs {b} | {p:.3f}{' **distinguishable**' if p < 0.01 else ''} |")
    finally:
        w.stop()


def _req(signer: Signed, body: dict) -> dict:
    p = signer.prepare("POST", "/v1/applications/list", body=body)
    return {"method": p["method"], "url": f"{signer.base}{p['path']}", "headers": p["headers"],
            "data": p["body"]}


if __name__ == "__main__":
    main()
