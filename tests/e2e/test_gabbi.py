"""Heat's own API test, heat-tempest-plugin's `gabbits/softwareconfig.yaml`, run by `gabbi-run`
against the Worker: it is read from the installed package, never copied into this repository."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import heat_tempest_plugin
import yaml

GABBITS = Path(heat_tempest_plugin.__file__).parent / "tests" / "api" / "gabbits"
GABBI_RUN = Path(sys.executable).parent / "gabbi-run"


def run_gabbi(project, yaml_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, OS_TOKEN=project.token,
               PREFIX=f"api-{secrets.token_hex(4)}x")  # never numeric: gabbi would cast it
    return subprocess.run([str(GABBI_RUN), project.url, "--", str(yaml_path)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_heats_softwareconfig_gabbits_all_pass(project, api):
    yaml_path = GABBITS / "softwareconfig.yaml"
    expected = len(yaml.safe_load(yaml_path.read_text())["tests"])
    assert expected == 10
    r = run_gabbi(project, yaml_path)
    output = r.stdout + r.stderr
    assert r.returncode == 0, output
    ran = re.search(r"^Ran (\d+) tests? in ", output, re.M)
    assert ran, output
    assert int(ran.group(1)) == expected, output
    assert re.search(r"^OK\s*$", output, re.M), output
    assert output.count("✓") == expected, output
    # The yaml deletes what it made: the project is empty again.
    h = {"X-Auth-Token": project.token}
    assert api.get(f"/v1/{project.id}/software_configs", headers=h).json() == {"software_configs": []}
    assert api.get(f"/v1/{project.id}/software_deployments", headers=h).json() == \
        {"software_deployments": []}


def test_gabbi_run_reports_a_failure_when_the_token_is_wrong(project):
    """The runner really checks the answers: with a bad token every test fails, and it says so."""
    bad = type(project)(id=project.id, token="not-a-token", token_id="", url=project.url)
    r = run_gabbi(bad, GABBITS / "softwareconfig.yaml")
    output = r.stdout + r.stderr
    assert r.returncode != 0, output
    assert re.search(r"^FAILED \(", output, re.M), output
    assert "200" in output and "401" in output, output  # expected 200, got 401
