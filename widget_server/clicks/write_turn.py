"""Take turns writing to SQLite: one writer at a time, woken the moment the previous one commits."""

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Engine

_THREADS = threading.Lock()
_lock_files: dict[str, int] = {}  # database path -> this process's descriptor of its lock file


class Transaction(Protocol):
    """A connection's open transaction: SQLAlchemy's Connection or a driver's connection."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


@contextmanager
def write_turn(connection: Transaction, engine: Engine) -> Iterator[None]:
    """Run the rest of connection's transaction in the database's write turn; commit at the end."""
    if engine.dialect.name != "sqlite":
        with _ending(connection):
            yield
        return
    # SQLite lets one writer in at a time and makes the others poll with sleeps of up to 100 ms;
    # a thread lock and an flock hand the turn over at once, to this process or another one.
    # pysqlite opens the transaction at the first INSERT or UPDATE, and that statement takes
    # SQLite's write lock before reading anything, so a writer outside these turns (the CLI,
    # the webhook worker) is waited for through busy_timeout, never raced.
    with _THREADS, _process_turn(engine.url.database), _ending(connection):
        yield


@contextmanager
def _ending(connection: Transaction) -> Iterator[None]:
    try:
        yield
    except BaseException:
        connection.rollback()  # still in the turn, so the next writer never waits on it
        raise
    connection.commit()


@contextmanager
def _process_turn(database: str | None) -> Iterator[None]:
    if not database or database == ":memory:":
        yield  # a private database: this process is its only writer
        return
    descriptor = _lock_files.get(database)
    if descriptor is None:
        descriptor = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
        _lock_files[database] = descriptor
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


def _forget_lock_files() -> None:
    # A forked worker shares its parent's open files, and flock would let them both in.
    for descriptor in _lock_files.values():
        os.close(descriptor)
    _lock_files.clear()


os.register_at_fork(after_in_child=_forget_lock_files)
