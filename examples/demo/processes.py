"""Start services in their own process groups, wait until they answer, stop them all cleanly."""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import requests

from examples.demo import proc

PR_SET_PDEATHSIG = 1


class StartupError(RuntimeError):
    """A service died or did not answer in time; the message ends with its last log lines."""


class Supervisor:
    """Own a set of child process groups, each logging to its own file under log_dir."""

    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self.children: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict | None = None, cwd=None, echo=None):
        """Start argv as the leader of a new process group, output to <log_dir>/<name>.log.

        With echo, every output line is also passed to echo (e.g. to show it on the terminal).
        """
        log = open(self.log_path(name), "ab")  # noqa: SIM115 - closed below or by _copy
        child = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if echo else log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        if echo:
            threading.Thread(target=_copy, args=(child.stdout, log, echo), daemon=True).start()
        else:
            log.close()
        self.children[name] = child
        return child

    def run(self, name: str, argv: list[str], env: dict | None = None, cwd=None, timeout=600):
        """Run a one-off command to completion; return its stdout, raise with its log on failure."""
        with open(self.log_path(name), "ab") as log:
            done = subprocess.run(
                argv,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                timeout=timeout,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        if done.returncode != 0:
            raise StartupError(f"`{' '.join(argv)}` failed ({done.returncode})\n{self.tail(name)}")
        return done.stdout.decode()

    def log_path(self, name: str) -> Path:
        """Return the log file of a service, creating its folder."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self.log_dir / f"{name}.log"

    def tail(self, name: str, lines: int = 25) -> str:
        """Return the last lines a service logged."""
        path = self.log_path(name)
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(f"  {name}| {line}" for line in text.splitlines()[-lines:])

    def wait_http(self, name: str, url: str, timeout: float) -> None:
        """Wait until url answers below 500 while the service is still running."""
        self._wait(name, url, timeout, lambda: requests.get(url, timeout=2).status_code < 500)

    def wait_port(self, name: str, port: int, timeout: float) -> None:
        """Wait until something accepts connections on 127.0.0.1:port, the service running."""
        where = f"127.0.0.1:{port}"
        connect = socket.create_connection
        self._wait(name, where, timeout, lambda: connect(("127.0.0.1", port), 2).close() is None)

    def check_running(self) -> None:
        """Fail with its last log lines if any service has exited."""
        for name, child in self.children.items():
            if child.poll() is not None:
                raise StartupError(f"{name} exited ({child.returncode})\n{self.tail(name)}")

    def _wait(self, name: str, where: str, timeout: float, probe) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_running()
            try:
                if probe():
                    return
            except (OSError, requests.RequestException):
                pass
            time.sleep(0.3)
        raise StartupError(
            f"{name} did not answer at {where} in {timeout:.0f} s\n{self.tail(name)}"
        )

    def pids(self) -> list[int]:
        """Return every live process in the groups started here, leaders and descendants."""
        return proc.group_members({child.pid for child in self.children.values()})

    def stop(self, timeout: float = 10) -> None:
        """Terminate every group, wait up to timeout, then kill what is left."""
        for child in reversed(self.children.values()):
            _signal_group(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(max(0.1, deadline - time.monotonic()))
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        live = {group for _, group in proc.live_processes().values()}
        for child in self.children.values():
            if child.pid in live:
                _signal_group(child.pid, signal.SIGKILL)
            child.wait()
        # SIGKILL is delivered asynchronously: wait until the descendants are really gone.
        deadline = time.monotonic() + 5
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.children.clear()


def _die_with_parent() -> None:
    # Runs in the child before exec: even if the supervisor is killed outright (SIGKILL), the
    # kernel sends SIGTERM to the service, so no demo process outlives it.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _copy(stream, log, echo) -> None:
    with stream, log:
        for line in stream:
            log.write(line)
            log.flush()
            echo(line.decode(errors="replace").rstrip("\n"))


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)
