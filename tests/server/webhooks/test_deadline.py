"""The watchdog cuts a connection that overruns its attempt's deadline, and only that one."""

import socket
import threading
import time

from widget_server.webhooks.deadline import Deadline, register


class Connection:
    """What register() ties to a deadline: anything with a `sock`."""

    def __init__(self, sock):
        self.sock = sock


def test_a_blocked_read_is_cut_at_the_deadline():
    left, right = socket.socketpair()
    started = time.monotonic()
    with Deadline(0.3) as deadline:
        register(Connection(left))
        assert left.recv(10) == b""  # shut down by the watchdog, not answered
    assert deadline.expired
    assert 0.25 < time.monotonic() - started < 5
    left.close()
    right.close()


def test_an_attempt_within_its_deadline_is_left_alone():
    left, right = socket.socketpair()
    with Deadline(5) as deadline:
        register(Connection(left))
        right.sendall(b"ok")
        assert left.recv(10) == b"ok"
    time.sleep(0.05)
    assert not deadline.expired
    right.sendall(b"still open")
    assert left.recv(20) == b"still open"
    left.close()
    right.close()


def test_register_outside_an_attempt_does_nothing():
    register(Connection(None))  # no deadline in this thread: nothing to tie it to


def test_deadlines_of_threads_are_their_own():
    results = {}

    def attempt(name, seconds):
        left, right = socket.socketpair()
        with Deadline(seconds) as deadline:
            register(Connection(left))
            if seconds > 1:
                right.sendall(b"x")
            left.recv(1)
        results[name] = deadline.expired
        left.close()
        right.close()

    threads = [threading.Thread(target=attempt, args=a) for a in (("slow", 0.2), ("quick", 5))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {"slow": True, "quick": False}
