"""The demo's process handling: groups stopped whole, stubborn children killed, ports checked."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from examples.demo import proc
from examples.demo.ports import Ports, env_name, free_ports, is_free
from examples.demo.processes import StartupError, Supervisor

REPO = Path(__file__).resolve().parents[2]

# A leader that starts a grandchild which ignores SIGTERM and holds a listening port.
FAMILY = textwrap.dedent(
    """
    import subprocess, sys, time
    grandchild = '''
    import signal, socket, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
    print("listening", flush=True)
    time.sleep(600)
    '''
    subprocess.Popen([sys.executable, "-c", grandchild, sys.argv[1]])
    time.sleep(600)
    """
)


def wait_listening(port: int) -> None:
    for _ in range(100):
        if not is_free(port):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listened on {port}")


def test_stop_kills_the_whole_group_even_when_sigterm_is_ignored(tmp_path):
    supervisor = Supervisor(tmp_path)
    port = free_ports().site
    supervisor.start("family", [sys.executable, "-c", FAMILY, str(port)])
    wait_listening(port)
    pids = supervisor.pids()
    assert len(pids) == 2
    supervisor.stop(timeout=1)
    assert supervisor.pids() == []
    alive = [pid for pid in pids if proc.alive(pid)]
    assert alive == [] and is_free(port)
    assert "listening" in (tmp_path / "family.log").read_text()


def test_echo_copies_output_to_the_log_and_the_caller(tmp_path):
    lines = []
    supervisor = Supervisor(tmp_path)
    child = supervisor.start(
        "talker", [sys.executable, "-c", "print('one'); print('two')"], echo=lines.append
    )
    child.wait(10)
    supervisor.stop(timeout=1)
    assert lines == ["one", "two"]
    assert (tmp_path / "talker.log").read_text() == "one\ntwo\n"


def test_a_service_that_dies_fails_the_start_with_its_last_words(tmp_path):
    supervisor = Supervisor(tmp_path)
    supervisor.start("broken", [sys.executable, "-c", "import sys; sys.exit('no config here')"])
    with pytest.raises(StartupError, match=r"(?s)broken exited \(1\).*no config here"):
        supervisor.wait_http("broken", "http://127.0.0.1:9/", timeout=10)
    supervisor.stop(timeout=1)


def test_a_failed_setup_command_reports_its_output(tmp_path):
    supervisor = Supervisor(tmp_path)
    argv = [sys.executable, "-c", "import sys; sys.stderr.write('site exists'); sys.exit(3)"]
    with pytest.raises(StartupError, match=r"(?s)failed \(3\).*site exists"):
        supervisor.run("setup", argv)
    assert supervisor.run("setup", [sys.executable, "-c", "print('{}')"]) == "{}\n"


def test_wait_http_returns_once_the_service_answers(tmp_path):
    supervisor = Supervisor(tmp_path)
    port = free_ports().site
    supervisor.start("web", [sys.executable, "-m", "http.server", "-b", "127.0.0.1", str(port)])
    supervisor.wait_http("web", f"http://127.0.0.1:{port}/", timeout=20)
    assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    supervisor.stop()
    assert is_free(port)


def test_ports_come_from_the_environment_and_taken_ones_are_named():
    assert Ports.from_env({}) == Ports()
    ports = Ports.from_env({"DEMO_SITE_PORT": "8100"})
    assert ports.site == 8100 and ports.widget == Ports().widget
    with pytest.raises(ValueError, match="DEMO_RASA_PORT='abc' is not a port"):
        Ports.from_env({"DEMO_RASA_PORT": "abc"})
    with pytest.raises(ValueError, match="share port 7101"):
        Ports.from_env({"DEMO_SITE_PORT": "7101"})
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        busy = held.getsockname()[1]
        ports = Ports.from_env({"DEMO_RECEIVER_PORT": str(busy)})
        assert any(
            f"port {busy} (receiver)" in line and "DEMO_RECEIVER_PORT" in line
            for line in ports.taken()
        )


def test_services_die_with_a_supervisor_killed_outright(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from examples.demo.processes import Supervisor
        child = Supervisor(Path({str(tmp_path)!r})).start(
            "sleeper", [sys.executable, "-c", "import time; time.sleep(600)"]
        )
        print(child.pid, flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    child = int(parent.stdout.readline())
    assert proc.alive(child)
    parent.kill()
    parent.wait(10)
    deadline = time.monotonic() + 10
    while proc.alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    survived = proc.alive(child)
    if survived:
        os.kill(child, signal.SIGKILL)
    assert not survived


def run_demo(workdir, env_ports: dict) -> subprocess.CompletedProcess:
    """Run `python -m examples.demo` as make demo does, on the given ports."""
    env = {**os.environ, **{env_name(name): str(port) for name, port in env_ports.items()}}
    argv = [sys.executable, "-m", "examples.demo", "--dir", str(workdir)]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


def test_the_demo_names_a_taken_port_and_starts_nothing(tmp_path):
    ports = dict(free_ports().items())
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        ports["rasa"] = held.getsockname()[1]
        done = run_demo(tmp_path / "demo", ports)
    assert done.returncode == 1
    assert f"port {ports['rasa']} (rasa) is in use" in done.stderr
    assert "set DEMO_RASA_PORT" in done.stderr
    assert not (tmp_path / "demo").exists()


def test_the_demo_refuses_to_clear_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    done = run_demo(tmp_path, dict(free_ports().items()))
    assert done.returncode == 1
    assert "is not a demo folder" in done.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_ctrl_c_while_starting_leaves_nothing_behind(tmp_path):
    ports = free_ports()
    env = {**os.environ, **{env_name(name): str(port) for name, port in ports.items()}}
    argv = [sys.executable, "-m", "examples.demo", "--dir", str(tmp_path / "demo")]
    demo = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        for line in demo.stdout:
            if "waiting for" in line:
                break
        family = proc.descendants(demo.pid)
        assert len(family) >= 5, f"expected services starting, found {family}"
        demo.send_signal(signal.SIGINT)
        rest = demo.communicate(timeout=60)[0]
    finally:
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
            demo.wait(60)
    assert demo.returncode == 0 and "Demo stopped." in rest
    assert [pid for pid in family if proc.alive(pid)] == []
    assert [name for name, port in ports.items() if not is_free(port)] == []
