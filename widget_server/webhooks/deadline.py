"""A cap on a whole HTTP attempt: one watchdog thread cuts the connections that overrun it.

Timeouts of requests apply to each read, so a receiver sending a byte now and then could hold an
attempt, and the worker, for ever.
"""

import contextlib
import socket
import threading
import time

_current = threading.local()


class Watchdog:
    """A thread that shuts down the socket of each attempt still running past its deadline."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.armed: dict[Deadline, float] = {}
        self.thread: threading.Thread | None = None

    def arm(self, deadline: "Deadline", when: float) -> None:
        with self.condition:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self.thread.start()
            self.armed[deadline] = when
            self.condition.notify()

    def disarm(self, deadline: "Deadline") -> None:
        with self.condition:
            self.armed.pop(deadline, None)

    def _run(self) -> None:
        with self.condition:
            while True:
                now = time.monotonic()
                for deadline, when in list(self.armed.items()):
                    if when <= now:
                        del self.armed[deadline]
                        deadline.cut()
                soonest = min(self.armed.values(), default=None)
                self.condition.wait(None if soonest is None else soonest - now)


WATCHDOG = Watchdog()


class Deadline:
    """Cut the connection of the request made in this thread once `seconds` have passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.connection: object | None = None
        self.expired = False

    def __enter__(self) -> "Deadline":
        _current.deadline = self
        WATCHDOG.arm(self, time.monotonic() + self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        WATCHDOG.disarm(self)
        _current.deadline = None

    def cut(self) -> None:
        """Shut the connection down; the blocked read in the sending thread then fails."""
        self.expired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


def register(connection: object) -> None:
    """Tie connection to the deadline of the attempt running in this thread, if there is one."""
    deadline = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.connection = connection
