"""Plumbing shared by the bench scripts: free ports, scratch PostgreSQL databases, gunicorn.

Importable from both envs: nothing here imports Flask or widget_server.
"""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POSTGRES_URL = os.environ.get(
    "WIDGET_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def scratch_postgres():
    """Yield the URL of an empty database beside POSTGRES_URL's, dropped on exit."""
    import sqlalchemy as sa

    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"wah_bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL at {POSTGRES_URL} is not reachable ({error.orig}). Start it with: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
            "(or pass --sqlite-only)"
        ) from None
    try:
        yield sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def flask_cli(env: dict, *args: str) -> str:
    """Run `flask --app widget_server ...` in the server env; return its output."""
    command = [sys.executable, "-m", "flask", "--app", "widget_server", *args]
    return subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True).stdout


def new_site(env: dict) -> str:
    """Migrate the env's database and create a site on it; return the site key."""
    flask_cli(env, "db", "upgrade")
    site = json.loads(flask_cli(env, "sites", "create", "--name", "Bench", "--whatsapp-number",
                                "15551234567", "--json"))  # fmt: skip
    return site["site_key"]


def cpu_seconds(*pids: int) -> float:
    """Return the CPU seconds the processes have used so far (Linux /proc); gone ones count 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


class Gunicorn:
    """One gunicorn serving target on a free port of 127.0.0.1, ready inside `with`."""

    def __init__(self, target: str, workers: int = 1, threads: int = 4, env=None, program=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [*(program or [sys.executable, "-m", "gunicorn"]), "-k", "gthread"]
        command += ["--log-level", "warning", "-b", f"127.0.0.1:{self.port}"]
        command += ["-w", str(workers), "--threads", str(threads), target]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT)

    def __enter__(self):
        # Wait for an HTTP answer, not only the socket: the master binds it before workers boot.
        deadline = time.monotonic() + 30
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/")
                connection.getresponse().read()
                return self
            except (OSError, http.client.HTTPException):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise SystemExit(f"gunicorn did not start: {self.process.args[-1]}") from None
                time.sleep(0.1)
            finally:
                connection.close()

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def cpu_seconds(self) -> float:
        """Return the CPU seconds used so far by the master and its workers."""
        workers = []
        for thread in os.listdir(f"/proc/{self.process.pid}/task"):
            with open(f"/proc/{self.process.pid}/task/{thread}/children") as children:
                workers += [int(child) for child in children.read().split()]
        return cpu_seconds(self.process.pid, *workers)
