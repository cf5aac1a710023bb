"""Races end to end: writes of one project, sent at the same instant to the Worker in workerd.

Each trial prepares its N requests first (one `requests.Session` per thread, connections already
open), holds them at a `threading.Barrier` and releases them together, then checks what must hold
once a project's writes are serialised:

1. `PUT` of one deployment with one `If-Match`: one 200, the rest 412, the winner's write stored.
2. `DELETE` of a deployment racing `PUT`s of it: the deployment stays deleted.
3. `POST …/duplicate` of one application: every copy gets its own name.
4. Creates of one application name, and renames of several applications to one name: one holder.
5. `DELETE` of a config racing deployment creates of it: a 409, or a 204 and no deployment.
6. Batch creates racing a `DELETE` of their config: all of a batch or none of it.

Every trial runs to the end and its violations are collected; each test prints one summary line
(`CONCURRENCY …`, shown with `-s` or `-rA`) and then fails naming the violating trials.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests

TRIALS = 10
# The config DELETE races hit their window less often, so they run more trials, each sending the
# DELETE at an offset steered to where it meets the creates (`Stagger`).
DELETE_RACE_TRIALS = 40
TEMPLATE = "ec939bdf63194aca9fad45b3ba05643e"
TAKEN = "Deploy.00011001"


# --- the race ------------------------------------------------------------------------------------

@dataclass
class Req:
    """One request of a race; `delay` (seconds) is waited after the barrier, before sending."""
    method: str
    path: str
    json: object = None
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class Racer:
    """Sends a list of requests at the same instant, one thread and one session each."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="race")
        self.local = threading.local()

    def session(self) -> requests.Session:
        s = getattr(self.local, "session", None)
        if s is None:
            s = self.local.session = requests.Session()
        return s

    def prepare(self, s: requests.Session, r: Req) -> requests.PreparedRequest:
        h = {"Accept": "application/json", "X-Auth-Token": self.token}
        if r.json is not None:
            h["Content-Type"] = "application/json"
        h.update(r.headers)
        return s.prepare_request(requests.Request(r.method, f"{self.base}{r.path}", headers=h,
                                                  json=r.json))

    def race(self, reqs: list[Req]) -> list[requests.Response]:
        assert len(reqs) <= 32
        barrier = threading.Barrier(len(reqs))

        def run(r: Req) -> requests.Response:
            s = self.session()
            # Open (or check) this thread's keep-alive connection before the start line.
            s.get(f"{self.base}/healthz", timeout=30).raise_for_status()
            prepared = self.prepare(s, r)
            barrier.wait(timeout=60)
            if r.delay:
                time.sleep(r.delay)
            return s.send(prepared, timeout=60)

        futures = [self.pool.submit(run, r) for r in reqs]
        return [f.result() for f in futures]

    def close(self):
        self.pool.shutdown(wait=True)


class Client:
    """Sequential calls for one project's token (set-up and the checks after a race)."""

    def __init__(self, worker, project):
        self.base, self.pid, self.token = worker.url, project.id, project.token
        self.heat = f"/v1/{project.id}"
        self.racer = Racer(worker.url, project.token)

    def call(self, method: str, path: str, json=None, **kw) -> requests.Response:
        h = {"Accept": "application/json", "X-Auth-Token": self.token}
        h.update(kw.pop("headers", {}))
        return requests.request(method, f"{self.base}{path}", headers=h, json=json, timeout=60, **kw)

    # Heat
    def create_config(self) -> str:
        r = self.call("POST", f"{self.heat}/software_configs",
                      {"name": "race", "group": "script", "config": "#!/bin/sh\necho hi"})
        assert r.status_code == 200, r.text
        return r.json()["software_config"]["id"]

    def create_deployment(self, config_id: str, server_id: str) -> str:
        r = self.call("POST", f"{self.heat}/software_deployments",
                      {"config_id": config_id, "server_id": server_id, "status": "IN_PROGRESS"})
        assert r.status_code == 200, r.text
        return r.json()["software_deployment"]["id"]

    def deployments(self, server_id: str | None = None) -> list:
        r = self.call("GET", f"{self.heat}/software_deployments",
                      params={"server_id": server_id} if server_id else None)
        assert r.status_code == 200, r.text
        return r.json()["software_deployments"]

    # CodeArts
    def app_body(self, name: str) -> dict:
        return {"project_id": self.pid, "name": name, "description": "race", "is_draft": False,
                "create_type": "template", "slave_cluster_id": "", "trigger": {"trigger_source": "0"},
                "arrange_infos": [{"deploy_system": "deployTemplate", "template_id": TEMPLATE}]}

    def create_app(self, name: str) -> dict:
        r = self.call("POST", "/v1/applications", self.app_body(name))
        assert r.status_code == 200, r.text
        return r.json()["result"]

    def apps(self) -> list:
        r = self.call("POST", "/v1/applications/list", {"project_id": self.pid, "page": 1, "size": 100})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total_num"] <= 100, "a trial's project should fit one page"
        return body["result"]


@pytest.fixture
def new_client(worker):
    """Makes a client for a fresh project; closes their thread pools at the end."""
    made = []

    def make() -> Client:
        c = Client(worker, worker.new_project())
        made.append(c)
        return c

    yield make
    for c in made:
        c.racer.close()


class Stagger:
    """The offset between a lone racer (a config DELETE) and the rest, steered to where they meet.

    A staircase: after a trial the DELETE won (it went first: 204), the next trial sends it later;
    after it lost (409), earlier; the step halves at each change of direction, down to 0.25 ms.
    So most trials land at the tipping point, where the two sides' handling overlaps most.
    """

    def __init__(self):
        self.ms, self.step, self.last = 0.0, 2.0, None

    def delays(self) -> tuple[float, float]:
        """(delay of the lone racer, delay of the others) in seconds for the next trial."""
        return max(self.ms, 0) / 1000, max(-self.ms, 0) / 1000

    def record(self, lone_went_first: bool) -> None:
        direction = 1 if lone_went_first else -1
        if self.last is not None and direction != self.last:
            self.step = max(self.step / 2, 0.25)
        self.last = direction
        self.ms += direction * self.step


def code(r: requests.Response) -> str | None:
    """The CodeArts `error_code` of an answer, if it has one."""
    try:
        return r.json().get("error_code")
    except ValueError:
        return None


def brief(r: requests.Response) -> str:
    return f"{r.request.method} {r.status_code} {r.text[:160]}"


def report(name: str, summary: str, violations: list[str], trials: int = TRIALS) -> None:
    line = f"CONCURRENCY {name}: {summary}; violating trials {len({v.split(':')[0] for v in violations})}/{trials}"
    print(line)
    if violations:
        pytest.fail(line + "\n" + "\n".join(violations[:40]), pytrace=False)


# --- 1. If-Match ---------------------------------------------------------------------------------

def test_concurrent_puts_with_one_if_match_let_exactly_one_through(new_client):
    c = new_client()
    n = 20
    cfg = c.create_config()
    violations, winners = [], Counter()
    for t in range(TRIALS):
        dep = c.create_deployment(cfg, f"srv-{t}")
        path = f"{c.heat}/software_deployments/{dep}"
        etag = c.call("GET", path).headers["etag"]
        rs = c.racer.race([Req("PUT", path, {"status_reason": f"trial{t}-put{i}"}, {"If-Match": etag})
                           for i in range(n)])
        statuses = Counter(r.status_code for r in rs)
        ok = [i for i, r in enumerate(rs) if r.status_code == 200]
        winners[len(ok)] += 1
        if statuses != Counter({200: 1, 412: n - 1}):
            violations.append(f"trial {t}: statuses {dict(statuses)} (want one 200, {n - 1} 412)"
                              + "".join(f"; {brief(r)}" for r in rs if r.status_code not in (200, 412))[:400])
        got = c.call("GET", path)
        stored = got.json()["software_deployment"]["status_reason"]
        if len(ok) == 1:
            win = rs[ok[0]]
            if stored != f"trial{t}-put{ok[0]}":
                violations.append(f"trial {t}: stored status_reason {stored!r}, the 200 was put{ok[0]}")
            if got.headers["etag"] != win.headers.get("etag"):
                violations.append(f"trial {t}: stored ETag {got.headers['etag']} is not the winner's "
                                  f"{win.headers.get('etag')}")
        elif ok and stored not in {f"trial{t}-put{i}" for i in ok}:
            violations.append(f"trial {t}: stored status_reason {stored!r} is none of the 200s'")
    report("if-match", f"{TRIALS} trials x {n} PUTs with one If-Match; trials by number of 200s "
           f"{dict(sorted(winners.items()))}", violations)


# --- 2. DELETE racing PUTs -----------------------------------------------------------------------

def test_a_deleted_deployment_is_never_written_back_by_a_racing_put(new_client):
    c = new_client()
    puts = 5
    cfg = c.create_config()
    violations, put_codes, resurrected = [], Counter(), 0
    for t in range(TRIALS):
        server = f"srv-{t}"
        dep = c.create_deployment(cfg, server)
        path = f"{c.heat}/software_deployments/{dep}"
        reqs = [Req("PUT", path, {"status": "COMPLETE", "status_reason": f"put{i}"}) for i in range(puts)]
        reqs.insert(puts // 2, Req("DELETE", path))
        rs = c.racer.race(reqs)
        delete = rs.pop(puts // 2)
        put_codes.update(r.status_code for r in rs)
        if delete.status_code != 204:
            violations.append(f"trial {t}: DELETE {brief(delete)}")
        bad = [brief(r) for r in rs if r.status_code not in (200, 404)]
        if bad:
            violations.append(f"trial {t}: PUTs not 200/404: {bad[:3]}")
        after = c.call("GET", path)
        listed = [d["id"] for d in c.deployments(server)]
        if delete.status_code == 204 and (after.status_code != 404 or dep in listed):
            resurrected += 1
            violations.append(f"trial {t}: deleted (204) but GET is {after.status_code}, listed: {dep in listed}")
        later = c.call("PUT", path, {"status_reason": "later"})
        if later.status_code != 404:
            violations.append(f"trial {t}: a later PUT is {later.status_code}")
            c.call("DELETE", path)
    report("delete-vs-put", f"{TRIALS} trials x (1 DELETE + {puts} PUTs); PUT statuses "
           f"{dict(sorted(put_codes.items()))}; resurrected {resurrected}", violations)


# --- 3. duplicate --------------------------------------------------------------------------------

def test_concurrent_duplicates_get_distinct_names(new_client):
    n = 10
    violations, distinct = [], Counter()
    for t in range(TRIALS):
        c = new_client()
        app = c.create_app("orig")
        rs = c.racer.race([Req("POST", f"/v1/applications/{app['id']}/duplicate") for _ in range(n)])
        bad = [brief(r) for r in rs if r.status_code != 200]
        if bad:
            violations.append(f"trial {t}: duplicates not 200: {len(bad)}: {bad[:3]}")
        names = [r.json()["result"]["name"] for r in rs if r.status_code == 200]
        distinct[len(set(names))] += 1
        if len(set(names)) != n or "orig" in names:
            violations.append(f"trial {t}: copy names {sorted(names)}")
        expected = {"orig_copy"} | {f"orig_copy_{k}" for k in range(2, n + 1)}
        if set(names) != expected and not bad:
            violations.append(f"trial {t}: copy names {sorted(names)}, documented {sorted(expected)}")
        listed = [a["name"] for a in c.apps()]
        dups = sorted(k for k, v in Counter(listed).items() if v > 1)
        if dups or len(listed) != 1 + len(names):
            violations.append(f"trial {t}: listing has {len(listed)} apps, names held twice {dups}")
    report("duplicate", f"{TRIALS} trials x {n} duplicates of one app; trials by distinct copy names "
           f"{dict(sorted(distinct.items()))}", violations)


# --- 4. one name ---------------------------------------------------------------------------------

def test_concurrent_creates_of_one_name_make_one_application(new_client):
    n = 20
    violations, created = [], Counter()
    for t in range(TRIALS):
        c = new_client()
        rs = c.racer.race([Req("POST", "/v1/applications", c.app_body("same_name")) for _ in range(n)])
        ok = [r for r in rs if r.status_code == 200]
        created[len(ok)] += 1
        rest = [r for r in rs if r.status_code != 200]
        if len(ok) != 1 or any(r.status_code != 400 or code(r) != TAKEN for r in rest):
            violations.append(f"trial {t}: {len(ok)} created; others "
                              f"{dict(Counter((r.status_code, code(r)) for r in rest))}")
        holders = [a["id"] for a in c.apps() if a["name"] == "same_name"]
        if len(holders) != 1 or (len(ok) == 1 and holders != [ok[0].json()["result"]["id"]]):
            violations.append(f"trial {t}: listing shows {len(holders)} apps named same_name")
    report("create-one-name", f"{TRIALS} trials x {n} creates of one name; trials by number created "
           f"{dict(sorted(created.items()))}", violations)


def test_concurrent_renames_to_one_name_leave_one_holder(new_client):
    n = 5
    violations, renamed = [], Counter()
    for t in range(TRIALS):
        c = new_client()
        apps = [c.create_app(f"before_{i}") for i in range(n)]
        rs = c.racer.race([Req("PUT", "/v1/applications",
                               {"id": a["id"], "project_id": c.pid, "name": "target",
                                "is_draft": False, "create_type": "template"}) for a in apps])
        ok = [i for i, r in enumerate(rs) if r.status_code == 200]
        renamed[len(ok)] += 1
        rest = [r for r in rs if r.status_code != 200]
        if len(ok) != 1 or any(r.status_code != 400 or code(r) != TAKEN for r in rest):
            violations.append(f"trial {t}: {len(ok)} renamed; others "
                              f"{dict(Counter((r.status_code, code(r)) for r in rest))}")
        listed = {a["id"]: a["name"] for a in c.apps()}
        holders = [i for i, a in enumerate(apps) if listed.get(a["id"]) == "target"]
        if len(holders) > 1 or (len(ok) == 1 and holders != ok):
            violations.append(f"trial {t}: holders of the name {holders}, 200s {ok}")
        kept = [i for i, a in enumerate(apps) if i not in ok and listed.get(a["id"]) != f"before_{i}"]
        if kept:
            violations.append(f"trial {t}: refused renames changed apps {kept}")
    report("rename-one-name", f"{TRIALS} trials x {n} renames to one name; trials by number renamed "
           f"{dict(sorted(renamed.items()))}", violations)


# --- 5. config DELETE racing deployment creates ---------------------------------------------------

def test_a_config_delete_and_creates_of_its_deployments_never_both_succeed(new_client):
    c = new_client()
    n = 10
    violations, outcomes, stagger = [], Counter(), Stagger()
    for t in range(DELETE_RACE_TRIALS):
        cfg = c.create_config()
        lag_delete, lag_creates = stagger.delays()
        reqs = [Req("POST", f"{c.heat}/software_deployments", {"config_id": cfg, "server_id": f"t{t}-s{i}"},
                    delay=lag_creates) for i in range(n)]
        reqs.insert(n // 2, Req("DELETE", f"{c.heat}/software_configs/{cfg}", delay=lag_delete))
        rs = c.racer.race(reqs)
        delete = rs.pop(n // 2)
        stagger.record(delete.status_code == 204)
        creates = Counter(r.status_code for r in rs)
        outcomes[(delete.status_code, tuple(sorted(creates.items())))] += 1
        stored = [d for d in c.deployments() if d["config_id"] == cfg]
        config_now = c.call("GET", f"{c.heat}/software_configs/{cfg}").status_code
        if delete.status_code == 409:
            if creates != Counter({200: n}) or len(stored) != n or config_now != 200:
                violations.append(f"trial {t}: DELETE 409, creates {dict(creates)}, {len(stored)} stored, "
                                  f"config GET {config_now}")
        elif delete.status_code == 204:
            if creates != Counter({404: n}) or stored or config_now != 404:
                violations.append(f"trial {t}: DELETE 204, creates {dict(creates)}, {len(stored)} stored, "
                                  f"config GET {config_now}")
        else:
            violations.append(f"trial {t}: DELETE {brief(delete)}")
    report("config-delete-vs-create", f"{DELETE_RACE_TRIALS} trials x (1 config DELETE + {n} creates); "
           f"(delete, creates) outcomes {dict(outcomes)}", violations, DELETE_RACE_TRIALS)


# --- 6. batch create all-or-nothing --------------------------------------------------------------

def test_batch_creates_racing_a_config_delete_are_all_or_nothing(new_client):
    c = new_client()
    batches, size = 4, 5
    violations, outcomes, stagger = [], Counter(), Stagger()
    for t in range(DELETE_RACE_TRIALS):
        cfg = c.create_config()
        servers = [f"t{t}-b{b}" for b in range(batches)]
        lag_delete, lag_creates = stagger.delays()
        reqs = [Req("POST", f"{c.heat}/software_deployments",
                    [{"config_id": cfg, "server_id": s, "action": f"A{i}"} for i in range(size)],
                    delay=lag_creates) for s in servers]
        reqs.insert(batches // 2, Req("DELETE", f"{c.heat}/software_configs/{cfg}", delay=lag_delete))
        rs = c.racer.race(reqs)
        delete = rs.pop(batches // 2)
        stagger.record(delete.status_code == 204)
        counts = [len(c.deployments(s)) for s in servers]
        statuses = [r.status_code for r in rs]
        outcomes[(delete.status_code, tuple(sorted(Counter(statuses).items())))] += 1
        for s, r, k in zip(servers, rs, counts):
            want = size if r.status_code == 200 else 0
            if r.status_code not in (200, 404) or k != want:
                violations.append(f"trial {t}: batch {s}: {brief(r)}; {k} of {size} stored")
        if delete.status_code == 204 and any(st == 200 for st in statuses):
            violations.append(f"trial {t}: config DELETE 204 and batch statuses {statuses}")
        if delete.status_code == 409 and any(st != 200 for st in statuses):
            violations.append(f"trial {t}: config DELETE 409 (config kept) yet batch statuses {statuses}")
        if delete.status_code not in (204, 409):
            violations.append(f"trial {t}: DELETE {brief(delete)}")
    report("batch-vs-config-delete", f"{DELETE_RACE_TRIALS} trials x ({batches} batches of {size} + 1 config "
           f"DELETE); (delete, batch statuses) outcomes {dict(outcomes)}", violations, DELETE_RACE_TRIALS)
