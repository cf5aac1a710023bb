"""`wrangler dev` from Python, through the project's one launcher, scripts/wrangler-dev.mjs (which
see for what it does and its defaults): the e2e suite's Worker (tests/e2e/conftest.py) and the
benchmarks (bench/load.py, fleet.py, costs.py, auth_timing.py).

    w = WranglerDev.start(persist_to=state, vars={"ADMIN_TOKEN": t, "EXPOSE_KV_OPS": "true"})
    w.url, w.port, w.pid, w.log, w.admin_token, w.running()
    w.stop()
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

LAUNCHER = Path(__file__).resolve().with_name("wrangler-dev.mjs")


class WranglerDev:
    """A running `wrangler dev`: `proc` is the launcher, which exits once wrangler's group is gone."""

    def __init__(self, proc: subprocess.Popen, info: dict):
        self.proc = proc
        self.url: str = info["url"]
        self.port: int = info["port"]
        self.pid: int = info["pid"]  # wrangler's, the leader of its process group
        self.log = Path(info["log"]) if info.get("log") else None
        self.persist_to = Path(info["persistTo"])
        self.admin_token: str | None = info.get("adminToken")
        self.credentials_key: str | None = info.get("credentialsKey")
        self.start_ms: int = info["startMs"]

    @classmethod
    def start(cls, config: Path | None = None, port: int | None = None, persist_to: Path | None = None,
              vars: dict[str, str] | None = None, fresh_secrets: bool = False, log: Path | None = None,
              log_level: str | None = None, ready: str | None = None, timeout: float | None = None,
              args: list[str] = (), env: dict[str, str] | None = None) -> "WranglerDev":
        """Starts wrangler dev and returns once it answers; RuntimeError with its log's tail if it
        exits first or does not answer in time (the launcher's 180 s unless `timeout`)."""
        cmd = ["node", str(LAUNCHER)]
        for flag, value in (("--config", config), ("--port", port), ("--persist-to", persist_to),
                            ("--log", log), ("--log-level", log_level), ("--ready", ready),
                            ("--timeout", timeout)):
            if value is not None:
                cmd += [flag, str(value)]
        for name, value in (vars or {}).items():
            cmd += ["--var", f"{name}:{value}"]
        if fresh_secrets:
            cmd.append("--fresh-secrets")
        if args:
            cmd += ["--", *args]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                env={**os.environ, **(env or {})})
        line = proc.stdout.readline()
        info = json.loads(line) if line else {"error": f"{LAUNCHER.name} exited ({proc.wait()})"}
        if "error" in info:
            proc.wait()
            proc.stdout.close()
            raise RuntimeError(f"{info['error']} (log: {info.get('log')}):\n{info.get('tail', '')}")
        return cls(proc, info)

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """Stops wrangler's process group (SIGTERM, SIGKILL after 20 s) and waits for the launcher."""
        if self.running():
            self._kill(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._kill(signal.SIGKILL)
                self.proc.wait()
        self.proc.stdout.close()

    def _kill(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass
