"""The `openstack` CLI (python-openstackclient with python-heatclient's orchestration plugin,
unmodified) against the Worker, with the stock server agents doing the deployment: a user's whole
round trip from `software config create` to `software deployment output show`.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import requests

from agents import VENV_BIN, logs, run_agent_once

SERVER = "vm-cli"


def openstack(project, *args: str) -> str:
    """Runs `openstack` with a token for the project's endpoint; returns its stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"
    cmd = ["openstack", "--os-auth-type", "admin_token", "--os-endpoint", project.url,
           "--os-token", project.token, *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{' '.join(args)}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_the_openstack_cli_creates_a_config_and_deployment_that_the_agents_run(project, tmp_path: Path):
    script = tmp_path / "hello.sh"
    script.write_text('#!/bin/sh\necho "hello $name" > $heat_outputs_path.result\necho done\n')
    definition = tmp_path / "hello.yaml"
    definition.write_text("inputs:\n- name: name\n  default: nobody\noutputs:\n- name: result\n")

    config = json.loads(openstack(project, "software", "config", "create", "--group", "script",
                                  "--config-file", str(script), "--definition-file", str(definition),
                                  "-f", "json", "hello-cli"))
    assert (config["name"], config["group"]) == ("hello-cli", "script")
    assert config["config"] == script.read_text()
    assert [i["name"] for i in config["inputs"]] == ["name"]
    assert [o["name"] for o in config["outputs"]] == ["result"]

    deployment = json.loads(openstack(
        project, "software", "deployment", "create", "--signal-transport", "NO_SIGNAL",
        "--config", config["id"], "--server", SERVER, "--input-value", "name=cli", "-f", "json",
        "hello-deployment"))
    assert (deployment["server_id"], deployment["action"], deployment["status"]) == \
        (SERVER, "UPDATE", "IN_PROGRESS")

    r = requests.post(f"{project.url}/servers/{SERVER}/agent",
                      headers={"X-Auth-Token": project.token}, timeout=30)
    assert r.status_code == 201, r.text
    proc = run_agent_once(r.json()["metadata_url"], tmp_path / "server-root")
    assert proc.returncode == 0, logs(proc)

    shown = json.loads(openstack(project, "software", "deployment", "show", "-f", "json",
                                 deployment["id"]))
    assert (shown["status"], shown["status_reason"]) == ("COMPLETE", "Outputs received"), logs(proc)
    assert openstack(project, "software", "deployment", "output", "show", deployment["id"],
                     "result") == "output_value:\n\n  result: hello cli\n\n"
    out = openstack(project, "software", "deployment", "output", "show", "--all", deployment["id"])
    assert out.startswith("output_values:\n\n"), out
    assert "  result: hello cli\n" in out
    assert "  deploy_status_code: 0\n" in out
    assert "  deploy_stdout: |\n    done\n" in out
