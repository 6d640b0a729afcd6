"""Write turns: clicks from several processes at once, each whole, none lost."""

import os
import subprocess
import sys
import textwrap

import sqlalchemy as sa
from clicks_support import events, sessions

from widget_server.clicks import write_turn
from widget_server.db import db
from widget_server.models import Site

PROCESSES, CLICKS = 3, 15

# A worker process of its own, as gunicorn runs them: a fresh interpreter clicking in a loop.
WORKER = textwrap.dedent(
    """
    import sys
    from widget_server import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
    client = app.test_client()
    for n in range(int(sys.argv[3])):
        response = client.get(f"/c/{sys.argv[2]}", query_string={"device_id": "shared"})
        assert response.status_code == 302, response.status_code
    """
)


def test_clicks_from_several_processes_are_all_counted(app, client, site):
    client.get(f"/c/{site}", query_string={"device_id": "shared"})
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, url, site, str(CLICKS)])
        for _ in range(PROCESSES)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0] * PROCESSES
    [row] = sessions(app)
    assert row.click_count == 1 + PROCESSES * CLICKS
    counts = sorted(event.data["click_count"] for event in events(app))
    assert counts == list(range(1, 2 + PROCESSES * CLICKS))


def test_a_failed_write_rolls_back_and_frees_the_turn(app, site):
    with app.app_context():
        with db.engine.connect() as connection:
            try:
                with write_turn.WriteTurn(connection, db.engine):
                    connection.execute(sa.update(Site).values(name="Half-written"))
                    raise RuntimeError("broken")
            except RuntimeError:
                pass
            assert not write_turn._THREADS.locked()
            with write_turn.WriteTurn(connection, db.engine):
                connection.execute(sa.update(Site).values(reuse_hours=2))
        [(name, hours)] = db.session.execute(sa.select(Site.name, Site.reuse_hours)).all()
    assert (name, hours) == ("Shop", 2)


def test_a_forked_process_opens_its_own_lock_file(tmp_path):
    database = str(tmp_path / "widget.db")
    write_turn._lock_file(database)
    assert database in write_turn._lock_files
    child = os.fork()
    if child == 0:
        # flock lets every holder of one shared open file in: the child must not reuse it.
        os._exit(0 if write_turn._lock_files == {} else 1)
    _, status = os.waitpid(child, 0)
    os.close(write_turn._lock_files.pop(database))
    assert os.waitstatus_to_exitcode(status) == 0
