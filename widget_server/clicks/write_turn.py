"""Take turns writing to SQLite: one writer at a time, woken the moment the previous one commits."""

import fcntl
import os
import threading
from typing import Protocol

from sqlalchemy import Engine

_THREADS = threading.Lock()
_lock_files: dict[str, int] = {}  # database path -> this process's descriptor of its lock file


class Transaction(Protocol):
    """A connection's open transaction: SQLAlchemy's Connection or a driver's connection."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class WriteTurn:
    """Run the rest of connection's transaction in the database's write turn; commit at the end.

    SQLite lets one writer in at a time and makes the others poll with sleeps of up to 100 ms;
    a thread lock and an flock hand the turn over at once, to this process or another one.
    pysqlite opens the transaction at the first INSERT or UPDATE, and that statement takes
    SQLite's write lock before reading anything, so a writer outside these turns (the CLI,
    the webhook worker) is waited for through busy_timeout, never raced. PostgreSQL has no
    turn: the transaction is only ended. A class, not a generator: every click enters one.
    """

    def __init__(self, connection: Transaction, engine: Engine):
        self.connection = connection
        # None: no turn (PostgreSQL); -1: a private SQLite database, turns between threads only.
        self.lock_file = (
            _lock_file(engine.url.database) if engine.dialect.name == "sqlite" else None
        )

    def __enter__(self) -> None:
        if self.lock_file is not None:
            _THREADS.acquire()
            if self.lock_file >= 0:
                try:
                    fcntl.flock(self.lock_file, fcntl.LOCK_EX)
                except BaseException:
                    _THREADS.release()
                    raise

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self.connection.commit()
            else:
                self.connection.rollback()  # still in the turn, so the next writer never waits
        finally:
            if self.lock_file is not None:
                if self.lock_file >= 0:
                    fcntl.flock(self.lock_file, fcntl.LOCK_UN)
                _THREADS.release()


def _lock_file(database: str | None) -> int:
    """Return this process's descriptor of database's lock file, or -1 for a private one."""
    if not database or database == ":memory:":
        return -1  # a private database: this process is its only writer
    descriptor = _lock_files.get(database)
    if descriptor is None:
        descriptor = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
        _lock_files[database] = descriptor
    return descriptor


def _forget_lock_files() -> None:
    # A forked worker shares its parent's open files, and flock would let them both in.
    for descriptor in _lock_files.values():
        os.close(descriptor)
    _lock_files.clear()


os.register_at_fork(after_in_child=_forget_lock_files)
