"""The test helpers that start real services (tests/services.py): a PostgreSQL cluster and a Dask cluster.

Other tests trust these helpers to start what they say and to leave nothing running, so both are checked here
against the real programs.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from services import DaskCluster, PostgresServer, pid_alive, require_postgres


# ------------------------------------------------------------------------------------------------ PostgreSQL

@pytest.fixture
def postgres(tmp_path):
    require_postgres()
    with PostgresServer(tmp_path) as server:
        yield server


def _rows(engine) -> list[tuple]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT student, score FROM grades ORDER BY student"))]


def test_postgres_keeps_data_across_restart_and_stop(postgres):
    from sqlalchemy import create_engine, exc, text

    assert postgres.url == f"postgresql+psycopg2://grader@127.0.0.1:{postgres.port}/gradebook"
    engine = create_engine(postgres.url, pool_pre_ping=True)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE grades (student text PRIMARY KEY, score float NOT NULL)"))
            conn.execute(text("INSERT INTO grades VALUES ('ada', 9.5), ('bob', 7)"))
        assert _rows(engine) == [("ada", 9.5), ("bob", 7.0)]

        # A session open across the restart is cut (as a fault test relies on); the data stays.
        held = engine.connect()
        postgres.restart()
        with pytest.raises(exc.OperationalError):
            held.execute(text("SELECT 1"))
        held.close()
        assert _rows(engine) == [("ada", 9.5), ("bob", 7.0)]

        port = postgres.port
        postgres.stop()
        assert not postgres.running
        with pytest.raises(exc.OperationalError):
            engine.dispose()
            with engine.connect():
                pass
        postgres.start()
        assert postgres.port == port, "a stopped server comes back on its port, so URLs handed out stay valid"
        assert _rows(engine) == [("ada", 9.5), ("bob", 7.0)]
    finally:
        engine.dispose()


def test_postgres_start_failure_shows_the_server_log(postgres):
    postgres.stop()
    with open(postgres.data_dir / "postgresql.conf", "a") as f:
        f.write("no_such_setting_for_tests = 1\n")
    with pytest.raises(RuntimeError, match="(?s)server log tail.*no_such_setting_for_tests"):
        postgres.start()
    assert not postgres.running


def test_postgres_exit_stops_the_server_and_keeps_its_files():
    require_postgres()
    # A folder the service user can reach when we are root (pytest's own are private to root): the cluster is
    # made in it, and stays there.
    folder = Path(tempfile.mkdtemp(prefix="svc-test-"))
    try:
        folder.chmod(0o755)
        with PostgresServer(folder) as server:
            assert server.data_dir == folder / "postgres" / "data"
            pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
            assert pid_alive(pid)
        assert not pid_alive(pid)
        assert not (server.data_dir / "postmaster.pid").exists()
        assert (server.data_dir / "PG_VERSION").exists() and server.log_path.exists()
    finally:
        shutil.rmtree(folder)


# ------------------------------------------------------------------------------------------------ Dask

def _wait_gone(pids, timeout=10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (alive := [p for p in pids if pid_alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def test_dask_workers_are_separate_processes_and_survive_a_killed_peer(tmp_path):
    from distributed import Client

    with DaskCluster(tmp_path) as cluster:
        assert cluster.address.startswith("tcp://127.0.0.1:")
        with Client(cluster.address, timeout=20, set_as_default=False) as client:
            pids = [client.submit(os.getpid, workers=[name], pure=False).result(timeout=30)
                    for name in cluster.worker_names]
            assert len(set(pids)) == 2 and os.getpid() not in pids
            assert sorted(cluster.worker_pids()) == sorted(pids), "worker_pids are the processes that run tasks"
            assert not set(pids) & set(cluster.process_pids()), "with nannies, the workers are the nannies' children"

            killed = cluster.kill_worker(0)
            assert killed == pids[0] and not pid_alive(killed)
            assert client.submit(os.getpid, workers=["w1"], pure=False).result(timeout=30) == pids[1]
            # The nanny brings w0 back as a new process (a task restricted to w0 could run elsewhere until then).
            assert cluster.wait_for_workers(timeout=30)[0]["pid"] not in pids
            assert client.submit(os.getpid, workers=["w0"], pure=False).result(timeout=30) not in pids
            everything = cluster.process_pids() + cluster.worker_pids()
    assert _wait_gone(everything) == []


def test_dask_without_nanny_with_preload_and_env(tmp_path):
    from distributed import Client

    preload = tmp_path / "preload_marker.py"
    preload.write_text("import os\nos.environ['PRELOADED_BY_TEST'] = 'yes'\n")
    with DaskCluster(tmp_path / "cluster", nanny=False, preload=[str(preload)],
                     env={"FROM_TEST_ENV": "42"}) as cluster:
        assert set(cluster.worker_pids()) == set(cluster.process_pids()[1:]), "without a nanny, the command works"
        with Client(cluster.address, timeout=20, set_as_default=False) as client:
            for name in cluster.worker_names:
                seen = client.submit(lambda: (os.environ.get("PRELOADED_BY_TEST"), os.environ.get("FROM_TEST_ENV")),
                                     workers=[name], pure=False).result(timeout=30)
                assert seen == ("yes", "42")
            pid = cluster.worker_pids()[1]
            assert cluster.kill_worker(pid) == pid
            assert client.submit(os.getpid, workers=["w0"], pure=False).result(timeout=30) != pid
        everything = cluster.process_pids()
    assert _wait_gone(everything) == []
    assert "w0.log" in cluster.log_tail() and "scheduler.log" in cluster.log_tail()
