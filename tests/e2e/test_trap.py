"""A trapped instance is reset and the next request is answered, in workerd (`wrangler dev`).

Against a Worker of its own with `FAULT_INJECTION=on`: `POST /_test/trap` with the admin token makes
the core panic in the middle of an answer (after a platform promise it awaited), which traps the
wasm instance. worker.js answers that request as a trap (a JSON 500), replaces the instance, and
gives the new one the Worker's bindings before it answers: the requests after it (a KV read, and a
project object's write, which makes the object's core again) are answered as before the trap.
Without fault injection the route does not exist.

An answer waiting on KV while the instance is reset, with KV's reads held: tests/js/worker.test.mjs.
"""
from __future__ import annotations

import secrets

import pytest
import requests

from conftest import Worker

TRAPPED = {"error": "internal error"}


@pytest.fixture(scope="module")
def own_worker(workdir):
    """A Worker of this module's, with fault injection on."""
    w = Worker(workdir / "state-trap", admin_token=secrets.token_hex(32),
               extra_vars={"FAULT_INJECTION": "on"})
    w.start()
    yield w
    w.stop()


def trap(worker: Worker, token: str | None = None) -> requests.Response:
    return requests.post(f"{worker.url}/_test/trap", timeout=60,
                         headers={"Authorization": f"Bearer {token or worker.admin_token}"})


def test_a_trapped_instance_is_replaced_and_the_next_requests_are_answered(own_worker):
    p = own_worker.new_project()
    heat = {"X-Auth-Token": p.token}
    made = requests.post(f"{p.url}/software_configs", headers=heat, timeout=60,
                         json={"name": "before", "config": "#!/bin/sh"})
    assert made.status_code == 200, made.text

    for _ in range(2):  # a second trap, in the instance that replaced the first
        r = trap(own_worker)
        assert r.status_code == 500, r.text
        assert r.json() == TRAPPED

        # A KV read (the token, the configs): the new instance has the Worker's bindings.
        listed = requests.get(f"{p.url}/software_configs", headers=heat, timeout=60)
        assert listed.status_code == 200, listed.text
        assert "before" in [c["name"] for c in listed.json()["software_configs"]]
        # A write: the project's object makes its core's object again, over the same SQLite.
        made = requests.post(f"{p.url}/software_configs", headers=heat, timeout=60,
                             json={"name": "after", "config": "#!/bin/sh"})
        assert made.status_code == 200, made.text
        shown = requests.get(f"{p.url}/software_configs/{made.json()['software_config']['id']}",
                             headers=heat, timeout=60)
        assert shown.status_code == 200, shown.text

    assert "a trap the tests asked for" in own_worker.log_path.read_text(errors="replace")


def test_only_the_admin_token_traps(own_worker):
    r = trap(own_worker, token="not-the-admin-token")
    assert r.status_code == 404, r.text
    assert requests.get(f"{own_worker.url}/healthz", timeout=60).status_code == 200


def test_without_fault_injection_there_is_no_trap(worker):
    r = trap(worker)
    assert r.status_code != 500, r.text
    assert r.status_code == 404, r.text
