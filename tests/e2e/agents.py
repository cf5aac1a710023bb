"""Runs the stock, unmodified OpenStack server agents once against a metadata URL, with every file
they read or write under one temp root (see /work/shared/AGENT-NOTES.md for why each piece is
there).

The chain, as on a real server: `os-collect-config --one-time … request` polls the URL and, when
the document changed, runs `os-refresh-config`, whose `configure.d` has two steps:
`20-os-apply-config` (heat-agents' step, except that os-apply-config writes under the root via
`--output`) renders heat-agents' templates into `ROOT/var/run/heat-config/heat-config` and
`ROOT/etc/os-collect-config.conf`, then heat-agents' own `55-heat-config` runs each new deployment
through the `script` hook (heat-agents' `hook-script.py`) and reports with heat-agents'
`heat-config-notify`. The Python programs run on the venv's python3 (its bin comes first on PATH).

heat-agents ships these files only in its sdist: `heat_agents()` fetches it from PyPI with pip once,
checks its SHA-256, and unpacks it under `.venv/heat-agents/` (ignored by git).

Two things outside the root that the unmodified programs do: run as root, os-apply-config also
appends its log to /var/log/os-apply-config.log (it does whenever its euid is 0); and
os-collect-config prints only its warnings (e.g. `Source [request] Unavailable.`), since a logging
handler exists before its own log setup would run.
"""
from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HEAT_AGENTS_VERSION = "13.0.0"
HEAT_AGENTS_SHA256 = "346099c6e9f16bd5e68913b825013acdd97b6743a1764ebcfc08d6528cefa9d6"
VENV_BIN = Path(sys.executable).parent
AGENT_TIMEOUT = 120  # seconds for one whole agent run; a normal one takes a few


def heat_agents() -> Path:
    """The unpacked heat-agents sdist (downloaded with pip and checked on first use)."""
    cache = Path(sys.prefix) / "heat-agents"
    src = cache / f"heat_agents-{HEAT_AGENTS_VERSION}"
    if (src / "heat-config").is_dir():
        return src
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
             "--no-binary", ":all:", "--no-deps", f"heat-agents=={HEAT_AGENTS_VERSION}", "-d", tmp],
            check=True, capture_output=True, timeout=300)
        sdist = Path(tmp) / f"heat_agents-{HEAT_AGENTS_VERSION}.tar.gz"
        digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
        if digest != HEAT_AGENTS_SHA256:
            raise RuntimeError(f"{sdist.name} has SHA-256 {digest}, expected {HEAT_AGENTS_SHA256}")
        with tarfile.open(sdist) as tar:
            tar.extractall(tmp, filter="data")
        try:
            os.rename(Path(tmp) / src.name, src)
        except OSError:
            if not (src / "heat-config").is_dir():  # else another run unpacked it meanwhile
                raise
    return src


class AgentRoot:
    """The folders of one server's agents under `root` (a stand-in for the server's `/`)."""

    def __init__(self, root: Path):
        self.root = root
        self.conf = root / "etc/os-collect-config.conf"  # heat-agents renders it on every run
        self.cachedir = root / "var/lib/os-collect-config"
        self.backup_cachedir = root / "var/run/os-collect-config"
        self.refresh_base = root / "os-refresh-config"
        self.hooks = root / "hooks"
        self.notify = root / "bin/heat-config-notify"
        self.shell_config = root / "var/run/heat-config/heat-config"
        self.deployed = root / "var/lib/heat-config/deployed"
        self.script_working = root / "var/lib/heat-config/heat-config-script"
        self.script_outputs = root / "var/run/heat-config/heat-config-script"

    def install(self) -> None:
        """Puts heat-agents' files in place (once; later runs keep the agents' state)."""
        if self.conf.exists():
            return
        ha = heat_agents()
        configure_d = self.refresh_base / "configure.d"
        # The agents make their own folders, but not the parents a server has (/var/lib, /var/run).
        for d in (configure_d, self.hooks, self.notify.parent, self.conf.parent,
                  self.cachedir.parent, self.backup_cachedir.parent):
            d.mkdir(parents=True, exist_ok=True)
        # heat-agents' 20-os-apply-config is `exec os-apply-config`, which writes to /.
        step = configure_d / "20-os-apply-config"
        output = shlex.quote(str(self.root))
        step.write_text(f"#!/bin/bash\nset -ue\n\nexec os-apply-config --output {output}\n")
        step.chmod(0o755)
        for src, dst in [
            (ha / "heat-config/os-refresh-config/configure.d/55-heat-config", configure_d / "55-heat-config"),
            (ha / "heat-config-script/install.d/hook-script.py", self.hooks / "script"),
            (ha / "heat-config/bin/heat-config-notify", self.notify),
        ]:
            shutil.copyfile(src, dst)
            dst.chmod(0o755)
        self.conf.write_text("")  # os-collect-config wants the file it is told to read

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "HEAT_"))}
        env.update(
            PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            HEAT_CONFIG_HOOKS=str(self.hooks),
            HEAT_SHELL_CONFIG=str(self.shell_config),
            HEAT_CONFIG_DEPLOYED=str(self.deployed),
            HEAT_CONFIG_DEPLOYED_OLD=str(self.root / "var/run/heat-config/deployed"),
            HEAT_CONFIG_NOTIFY=str(self.notify),
            HEAT_SCRIPT_WORKING=str(self.script_working),
            HEAT_SCRIPT_OUTPUTS=str(self.script_outputs),
            OS_REFRESH_CONFIG_BASE_DIR=str(self.refresh_base),
            OS_CONFIG_APPLIER_TEMPLATES=str(heat_agents() / "heat-config/os-apply-config"),
            OS_CONFIG_FILES_PATH=str(self.cachedir / "os_config_files.json"),
        )
        return env

    def deployed_ids(self) -> set[str]:
        """Ids of the items 55-heat-config has run (it writes `<id>.json` before running one)."""
        if not self.deployed.is_dir():
            return set()
        return {p.name[:-len(".json")] for p in self.deployed.glob("*.json")
                if not p.name.endswith(".notify.json")}


def run_agent_once(metadata_url: str, root: Path) -> subprocess.CompletedProcess:
    """One poll of os-collect-config (and, when the document changed, everything it runs).

    Returns the finished process; `logs(proc)` gives its output for assertion messages.
    """
    agent = AgentRoot(root)
    agent.install()
    refresh = f"os-refresh-config --lockfile {shlex.quote(str(root / 'var/run/os-refresh-config.lock'))}"
    cmd = [
        str(VENV_BIN / "os-collect-config"), "--one-time",
        "--config-file", str(agent.conf),
        "--cachedir", str(agent.cachedir),
        "--backup-cachedir", str(agent.backup_cachedir),
        "--request-metadata-url", metadata_url,
        "--command", refresh,
        "request",
    ]
    return subprocess.run(cmd, env=agent.env(), cwd=root, capture_output=True, text=True,
                          timeout=AGENT_TIMEOUT, stdin=subprocess.DEVNULL)


def logs(proc: subprocess.CompletedProcess) -> str:
    """The agents' output, for assertion messages."""
    return f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
