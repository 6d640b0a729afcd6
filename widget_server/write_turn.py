"""Take turns writing to SQLite: one writer per process, the transaction opened up front."""

import sqlite3
import threading
from contextlib import contextmanager

_WRITER = threading.Lock()


@contextmanager
def write_turn(session):
    """Hold this process's SQLite write turn around a write transaction; elsewhere do nothing."""
    raw = session.connection().connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        yield
        return
    # SQLite lets one writer in at a time and makes the others poll with sleeps; a lock wakes
    # this process's next writer the moment the commit is done.
    with _WRITER:
        # pysqlite opens a transaction only before an INSERT or UPDATE, so a SAVEPOINT would
        # open one of its own, which RELEASE commits: open it first, taking the write lock.
        if not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")
        yield
