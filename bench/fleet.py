"""Fleet benchmark: thousands of agents polling their metadata URLs, normalised by a no-op Worker.

Seeds N servers (default 2000) through the API, each with one deployment (created 100 at a time)
and a minted agent metadata URL, and reads every server's ETag with one first poll. Then wrk
polls all the servers' metadata URLs in turn with `If-None-Match: <that server's ETag>`, as
os-collect-config does, while a side thread changes a few deployments per second (PUT with new
input_values), so some polls answer 200 with a new document instead of 304.

Each wrk thread has one connection and its own share of the servers, so it knows which poll a
response answers: on a 200 it keeps the new ETag, like a real agent, and that server's next poll
is a 304 again. wrk has no rate limit (wrk2 is not packaged in Debian): this is a closed loop of
`--connections` agents, each sending its next poll as soon as the last one is answered.

Reports requests per second as a share of the no-op Worker (bench/noop, same run, same wrk
settings and Lua script), p50/p99 latency, the share of 304 and 200 answers, and the KV
operations (X-KV-Ops) of single requests: an unchanged poll (304), a changed poll (200 after a
PUT), the PUT itself, a first poll and an agent URL mint; and the mean X-KV-Ops of the polls
under wrk (contact writes included). Ends with the KV cost model for
10,000 servers polling every 30 s.

Usage: bash bench/run.sh --fleet [--servers 2000] [--duration 20] [--changes-per-sec 3]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import BENCH, ROOT, free_port, start_wrangler, stop, wrk  # noqa: E402

BATCH = 100  # deployments per POST /software_deployments (the API's limit)
SEED_WORKERS = 4  # concurrent seeding requests

# One wrk thread per connection: a thread's responses then answer its own requests in order, so
# `last` names the server a response is about. Thread k polls servers k, k+T, k+2T, ... in turn.
LUA = r"""
local FILE, NTHREADS = %(file)s, %(threads)d
local paths, etags = {}, {}
local i, last = 0, 0
c200, c304, cother, kvops = 0, 0, 0, 0

local threads, made = {}, 0
function setup(thread)
  thread:set("id", made)
  made = made + 1
  table.insert(threads, thread)
end

function init(args)
  local n = 0
  for line in io.lines(FILE) do
    if n %% NTHREADS == id then
      local url, etag = line:match("^(%%S+)\t(.*)$")
      paths[#paths + 1] = url:match("^%%a+://[^/]+(/.*)$") or "/"
      etags[#etags + 1] = etag
    end
    n = n + 1
  end
  math.randomseed(os.time() + id)
  i = math.random(#paths) - 1  -- threads start at different places in their rotation
end

function request()
  i = i %% #paths + 1
  last = i
  return wrk.format("GET", paths[i], {["Host"] = wrk.headers["Host"], ["If-None-Match"] = etags[i]})
end

function response(status, headers, body)
  if status == 304 then c304 = c304 + 1 elseif status == 200 then c200 = c200 + 1 else cother = cother + 1 end
  for k, v in pairs(headers) do
    local name = k:lower()
    if name == "x-kv-ops" then
      kvops = kvops + (tonumber(v) or 0)
    elseif name == "etag" and status == 200 then
      etags[last] = v
    end
  end
end

function done(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a, b, c, d = a + t:get("c200"), b + t:get("c304"), c + t:get("cother"), d + t:get("kvops")
  end
  io.write(string.format("FLEET 200=%%d 304=%%d other=%%d kvops=%%d\n", a, b, c, d))
end
"""


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Api:
    """The Heat API of one project, one requests.Session per thread."""

    def __init__(self, base: str, project: str, token: str):
        self.base, self.p = base, f"{base}/v1/{project}"
        self.headers = {"X-Auth-Token": token, "Content-Type": "application/json", "Accept": "application/json"}
        self.local = threading.local()

    @property
    def s(self) -> requests.Session:
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
        return self.local.s

    def call(self, method: str, url: str, want: tuple[int, ...], **kw) -> requests.Response:
        r = self.s.request(method, url if url.startswith("http") else self.p + url, headers=kw.pop("headers", self.headers), timeout=60, **kw)
        if r.status_code not in want:
            raise RuntimeError(f"{method} {url} answered {r.status_code}: {r.text[:300]}")
        return r


def parallel(label: str, fn, items: list) -> None:
    """Runs fn over items with SEED_WORKERS threads, printing progress every 10%."""
    step, t0 = max(1, len(items) // 10), time.time()
    with ThreadPoolExecutor(SEED_WORKERS) as ex:
        for n, _ in enumerate(ex.map(fn, items), 1):
            if n % step == 0 or n == len(items):
                print(f"  {label}: {n}/{len(items)} ({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)


class Ops:
    """X-KV-Ops values seen, per kind of request (thread-safe)."""

    def __init__(self):
        self.seen: dict[str, collections.Counter] = {}
        self.lock = threading.Lock()

    def add(self, kind: str, r: requests.Response) -> None:
        with self.lock:
            self.seen.setdefault(kind, collections.Counter())[r.headers.get("x-kv-ops", "?")] += 1

    def __getitem__(self, kind: str) -> str:
        """The KV ops of one kind of request: '1' when all were alike, else the spread."""
        c = self.seen.get(kind, collections.Counter())
        if len(c) == 1:
            return next(iter(c))
        return ", ".join(f"{k} ({v}×)" for k, v in sorted(c.items())) or "-"


def seed(api: Api, n: int, ops: Ops) -> list[dict]:
    """N servers, each with one deployment, a metadata URL and its current ETag.

    Returns the servers as {server_id, deployment, url, etag}."""
    cfg = api.call("POST", "/software_configs", (200, 201), json={
        "name": "fleet", "group": "script", "config": "#!/bin/sh\necho hi", "inputs": [{"name": "x"}]}).json()["software_config"]["id"]
    servers = [{"server_id": str(uuid.uuid4())} for _ in range(n)]
    by_id = {s["server_id"]: s for s in servers}

    def create(chunk: list[dict]) -> None:
        body = [{"config_id": cfg, "server_id": s["server_id"], "input_values": {"x": "1"},
                 "status": "IN_PROGRESS", "action": "CREATE"} for s in chunk]
        r = api.call("POST", "/software_deployments", (200, 201), json=body)
        ops.add(f"create, a batch of {len(chunk)}", r)
        deps = r.json()["software_deployments"]
        if len(deps) != len(chunk):
            raise RuntimeError(f"a batch of {len(chunk)} deployments answered {len(deps)}")
        for d in deps:
            by_id[d["server_id"]]["deployment"] = d["id"]

    def mint(s: dict) -> None:
        r = api.call("POST", f"/servers/{s['server_id']}/agent", (201,), json={})
        ops.add("agent URL mint (POST .../agent)", r)
        s["url"] = r.json()["metadata_url"]

    def first_poll(s: dict) -> None:
        r = api.call("GET", s["url"], (200,), headers={"Accept": "application/json"})
        ops.add("first poll, no ETag (200)", r)
        s["etag"] = r.headers["ETag"]
        if not r.headers.get("Last-Modified"):
            raise RuntimeError(f"{s['url']}: no Last-Modified")
        r.json()

    parallel(f"deployments, {BATCH} a request", create, [servers[k:k + BATCH] for k in range(0, n, BATCH)])
    missing = [s for s in servers if "deployment" not in s]
    if missing:
        raise RuntimeError(f"{len(missing)} servers got no deployment back")
    parallel("agent metadata URLs", mint, servers)
    parallel("first polls (ETags)", first_poll, servers)
    return servers


def probe(api: Api, s: dict, ops: Ops, n: int) -> None:
    """Single requests on server s: an unchanged poll (304), a PUT, the changed poll (200)."""
    poll = lambda etag: api.call("GET", s["url"], (200, 304), headers={"If-None-Match": etag})  # noqa: E731
    for _ in range(2):  # the second with the isolate warm, as under load
        r = poll(s["etag"])
    if r.status_code != 304:
        raise RuntimeError(f"unchanged poll answered {r.status_code}, not 304")
    ops.add("unchanged poll (304)", r)
    r = api.call("PUT", f"/software_deployments/{s['deployment']}", (200,),
                 json={"input_values": {"x": f"probe-{n}"}, "status": "IN_PROGRESS", "action": "UPDATE"})
    ops.add("deployment change (PUT)", r)
    r = poll(s["etag"])
    if r.status_code != 200 or r.headers.get("ETag") == s["etag"]:
        raise RuntimeError(f"poll after a change answered {r.status_code} with ETag {r.headers.get('ETag')}")
    ops.add("changed poll, after a PUT (200)", r)
    s["etag"] = r.headers["ETag"]
    if poll(s["etag"]).status_code != 304:
        raise RuntimeError("the new ETag does not give 304")


class Changer(threading.Thread):
    """Changes `rate` random deployments per second (PUT new input_values) until stopped."""

    def __init__(self, api: Api, servers: list[dict], rate: float):
        super().__init__(daemon=True)
        self.api, self.servers, self.rate = api, servers, rate
        self.halt, self.ok, self.failed, self.errors = threading.Event(), 0, 0, []

    def run(self) -> None:
        if self.rate <= 0:
            return
        t0, n = time.monotonic(), 0
        while not self.halt.is_set():
            s = random.choice(self.servers)
            try:
                self.api.call("PUT", f"/software_deployments/{s['deployment']}", (200,),
                              json={"input_values": {"x": f"change-{n}"}, "status": "IN_PROGRESS", "action": "UPDATE"})
                self.ok += 1
            except Exception as e:  # noqa: BLE001 - counted and reported
                self.failed += 1
                self.errors.append(str(e)[:200])
            n += 1
            self.halt.wait(max(0.0, t0 + n / self.rate - time.monotonic()))


def newest_source() -> float:
    """The newest mtime under build/ and src/: wrangler dev reloads the Worker when either changes,
    and a reload loses the isolate's memory (read cache, recorded contacts)."""
    return max((f.stat().st_mtime for d in ("build", "src") for f in (ROOT / d).rglob("*") if f.is_file()), default=0.0)


def pct(counts: dict, key: str) -> str:
    return f"{100 * counts.get(key, 0) / (sum(counts.values()) or 1):.2f}%"


def cost_model(reads_per_poll: int) -> str:
    """KV cost of 10,000 servers polling every 30 s, at Workers KV's Paid plan prices
    (https://developers.cloudflare.com/kv/platform/pricing/: 10 M reads and 1 M writes a month
    included, then $0.50 per million reads and $5.00 per million writes)."""
    polls = 10_000 * 2_880  # a day
    reads, writes = polls * reads_per_poll * 30, 10_000 * 144 * 30  # a month of 30 days
    read_usd, write_usd = max(0, reads - 10e6) / 1e6 * 0.50, max(0, writes - 1e6) / 1e6 * 5.00
    return (f"Cost model, 10,000 servers polling every 30 s: {polls / 1e6:.1f} M polls/day × {reads_per_poll} KV read per "
            f"unchanged poll = {polls * reads_per_poll / 1e6:.1f} M reads/day, {reads / 1e6:.0f} M a month: ${read_usd:,.0f}/month; "
            f"contact recording about 1.44 M writes/day (one per server per 10 minutes), {writes / 1e6:.1f} M a month: "
            f"${write_usd:,.0f}/month; "
            f"plus deployment changes (Workers KV Paid plan prices, 30-day month).")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--servers", type=int, default=2000)
    ap.add_argument("--duration", type=int, default=20, help="seconds of wrk per scenario")
    ap.add_argument("--connections", type=int, default=8, help="wrk connections, one thread each")
    ap.add_argument("--changes-per-sec", type=float, default=3.0, help="deployment PUTs per second during the poll run")
    args = ap.parse_args()
    conns = args.connections
    if not 1 <= conns <= args.servers:
        ap.error("--connections must be between 1 and --servers")

    sources = newest_source()
    tmp = Path(tempfile.mkdtemp(prefix="deploy-edge-fleet-"))
    admin = secrets.token_hex(16)
    app_port, noop_port = free_port(), free_port()
    print(f"fleet: load average {load_average()}; starting the Worker and the no-op Worker", file=sys.stderr)
    app = start_wrangler(ROOT, app_port, tmp / "app", ["--var", f"ADMIN_TOKEN:{admin}", "--var", f"CREDENTIALS_KEY:{secrets.token_hex(32)}",
                                                       "--var", "EXPOSE_KV_OPS:true"])
    noop = None
    try:
        noop = start_wrangler(BENCH / "noop", noop_port, tmp / "noop", [])
        base = f"http://127.0.0.1:{app_port}"
        project = secrets.token_hex(16)
        token = requests.post(f"{base}/admin/v1/projects/{project}/tokens", headers={"Authorization": f"Bearer {admin}"}, timeout=60).json()["token"]
        api = Api(base, project, token)

        t0 = time.time()
        print(f"fleet: seeding {args.servers} servers", file=sys.stderr)
        ops = Ops()
        servers = seed(api, args.servers, ops)
        for n in range(min(3, args.servers)):
            probe(api, servers[n], ops, n)
        seeded = time.time() - t0
        print(f"fleet: seeded in {seeded:.0f}s", file=sys.stderr)

        origins = {urlsplit(s["url"])[:2] for s in servers}
        if origins != {("http", f"127.0.0.1:{app_port}")}:
            print(f"fleet: note: metadata URLs are on {sorted(origins)}; wrk sends their paths to {base}", file=sys.stderr)
        fleet_file = tmp / "fleet.tsv"
        fleet_file.write_text("".join(f"{s['url']}\t{s['etag']}\n" for s in servers))
        script = LUA % {"file": json.dumps(str(fleet_file)), "threads": conns}

        def run(url: str) -> dict:
            r = wrk(url, script, args.duration, threads=conns, conns=conns)
            counts = dict(x.split("=") for x in r["out"].split("FLEET ", 1)[1].split()) if "FLEET " in r["out"] else {}
            r["c"] = {k: int(v) for k, v in counts.items()}
            errors = [ln.strip() for ln in r["out"].splitlines() if "Socket errors" in ln]
            r["socket_errors"] = errors[0] if errors else ""
            return r

        load_before = load_average()
        noop_r = run(f"http://127.0.0.1:{noop_port}/")
        print(f"  measured noop: {noop_r['rps']:.0f} req/s", file=sys.stderr)
        changer = Changer(api, servers, args.changes_per_sec)
        changer.start()
        t1 = time.monotonic()
        fleet_r = run(base)
        changer.halt.set()
        changer.join()
        changed_for = time.monotonic() - t1
        load_after = load_average()
        print(f"  measured fleet: {fleet_r['rps']:.0f} req/s", file=sys.stderr)

        c, nc, ref = fleet_r["c"], noop_r["c"], noop_r["rps"]
        kv_ops, nkv_ops = c.pop("kvops", 0), nc.pop("kvops", 0)  # X-KV-Ops summed over all responses
        print(f"\nwrk -t{conns} -c{conns} -d{args.duration}s --latency, one connection per thread, closed loop "
              f"(each connection polls again as soon as it is answered; wrk2 is not in Debian); "
              f"same Lua script for both; share = req/s ÷ no-op Worker req/s; {os.cpu_count()} cores, "
              f"load average {load_before} before, {load_after} after\n")
        print("| scenario | req/s | share of no-op | p50 | p99 | 304 | 200 | other | KV ops: 304 / 200 poll (single) | KV ops/poll under wrk |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| noop (same script) | {ref:.0f} | 1.00 | {noop_r['p50']} | {noop_r['p99']} | {pct(nc, '304')} | {pct(nc, '200')} | "
              f"{nc.get('other', 0)} | - | {'-' if not nkv_ops else nkv_ops / max(1, sum(nc.values()))} |")
        print(f"| fleet poll ({args.servers} servers, {changer.ok / changed_for:.1f} changes/s) | {fleet_r['rps']:.0f} | "
              f"{fleet_r['rps'] / ref:.2f} | {fleet_r['p50']} | {fleet_r['p99']} | {pct(c, '304')} | {pct(c, '200')} | {c.get('other', 0)} | "
              f"{ops['unchanged poll (304)']} / {ops['changed poll, after a PUT (200)']} | {kv_ops / max(1, sum(c.values())):.3f} |")
        print(f"\n{c.get('304', 0)} polls answered 304, {c.get('200', 0)} answered 200, {c.get('other', 0)} something else; "
              f"{changer.ok} deployments changed during the run ({changer.failed} PUTs failed)"
              + (f"; wrk: {fleet_r['socket_errors']}" if fleet_r["socket_errors"] else "")
              + f"; seeding took {seeded:.0f}s.\n")
        if changer.errors:
            print(f"first PUT failure: {changer.errors[0]}\n")
        if newest_source() > sources:
            print("**Not a clean run: build/ or src/ changed during it, so wrangler dev reloaded the Worker (new isolate: "
                  "contacts recorded again, caches cold).**\n")

        print("KV operations of single requests (X-KV-Ops):\n")
        print("| request | KV ops |")
        print("|---|---:|")
        for kind in ops.seen:
            print(f"| {kind} | {ops[kind]} |")

        if ops["unchanged poll (304)"].isdigit():
            print("\n" + cost_model(int(ops["unchanged poll (304)"])))
    finally:
        stop(app)
        if noop:
            stop(noop)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
