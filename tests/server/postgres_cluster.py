"""A throwaway PostgreSQL cluster of one test's own, which the test may stop and start at will.

The shared server on 127.0.0.1:5432 is never stopped: a test that needs PostgreSQL to die runs
its own cluster (Debian's initdb and pg_ctl) on a free port, in a folder removed at the end.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pytest


def _bin_dir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL's server binaries are missing: apt-get install -y postgresql")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only."""

    def __init__(self):
        self.bin = _bin_dir()
        self.port = _free_port()
        self.folder = tempfile.mkdtemp(prefix="wah-pg-")
        self.data = os.path.join(self.folder, "data")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False
        if os.geteuid() == 0:  # initdb refuses to run as root: the cluster belongs to postgres
            os.chown(self.folder, *_postgres_ids())
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        command = [os.path.join(self.bin, program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = os.path.join(self.folder, "server.log")
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start")
        self.running = True

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; `immediate` is as abrupt as a crash (no shutdown checkpoint)."""
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")
        self.running = False

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        if self.running:
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _postgres_ids() -> tuple[int, int]:
    import pwd

    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("no postgres user to own a test cluster: apt-get install -y postgresql")
    return entry.pw_uid, entry.pw_gid
