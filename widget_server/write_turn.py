"""Take turns writing to SQLite: one writer per process, the write lock taken up front."""

import threading
from contextlib import contextmanager, nullcontext

_WRITER = threading.Lock()


@contextmanager
def write_turn(connection):
    """Run the rest of connection's transaction in this process's write turn; commit at the end."""
    sqlite = connection.dialect.name == "sqlite"
    # SQLite lets one writer in at a time and makes the others poll with sleeps; a lock wakes
    # this process's next writer the moment the commit is done.
    with _WRITER if sqlite else nullcontext():
        raw = connection.connection.driver_connection
        # pysqlite opens its transaction only at the first INSERT or UPDATE; opening it here
        # takes the write lock before anything is read in it, so busy_timeout alone resolves
        # a clash with another process (a read-then-write transaction could fail instead).
        if sqlite and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            connection.rollback()  # still in the turn, so the next writer never waits on it
            raise
        connection.commit()
