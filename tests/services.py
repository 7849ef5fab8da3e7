"""Real services for tests, started by the tests themselves: a throwaway PostgreSQL cluster and a local Dask cluster.

Both are context managers that start in ``__enter__`` and stop everything they started in ``__exit__``; every wait
has a time limit, and a service that does not come up raises an error that carries the tail of its log.
"""
from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

POSTGRES_APT_HINT = "Debian: apt-get install postgresql"
# A unix socket's path is limited to 107 bytes (sun_path); the server appends "/.s.PGSQL.<port>" to the folder.
_SOCKET_DIR_MAX = 90


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"({path} unreadable: {e})"
    return "\n".join(text.splitlines()[-lines:]) or f"({path} is empty)"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the kernel's pick; another process may take it before we do)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, process group) of a process from /proc, None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    fields = stat[stat.rindex(")") + 2:].split()
    return fields[0], int(fields[2])


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie counts as gone (PID 1 of a container may never reap what it inherits)."""
    if Path("/proc/self/stat").exists():
        stat = _proc_stat(pid)
        return stat is not None and stat[0] not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, read from /proc (a nanny's worker shares its group)."""
    members = []
    if not Path("/proc/self/stat").exists():
        return members
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat and stat[1] == pgid and stat[0] not in ("Z", "X"):
                members.append(int(entry.name))
    return members


# ------------------------------------------------------------------------------------------------ PostgreSQL

def postgres_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: PATH first, then the newest ``/usr/lib/postgresql/*/bin``.

    Debian installs the server's programs under /usr/lib/postgresql/<major>/bin and puts only the clients on PATH.
    """
    initdb = shutil.which("initdb")
    if initdb:
        # Resolved: a link on PATH (to /usr/lib/postgresql/<major>/bin, say) leads to the folder of the rest.
        bindir = Path(initdb).resolve().parent
        if (bindir / "pg_ctl").exists():
            return bindir

    def major(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    found = [p for p in Path("/usr/lib/postgresql").glob("*/bin")
             if (p / "initdb").exists() and (p / "pg_ctl").exists()]
    return max(found, key=major) if found else None


def _service_user() -> str | None:
    """Who runs the server: None (ourselves) unless we are root, whom PostgreSQL refuses to run as.

    Then it is Debian's ``postgres`` user when the package made one, else ``nobody``.
    """
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    raise RuntimeError("running as root, and neither user 'postgres' nor 'nobody' exists to run PostgreSQL as")


def _as_user_prefix(user: str | None) -> list[str]:
    if user is None:
        return []
    if shutil.which("runuser"):
        return ["runuser", "-u", user, "--"]
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={user}", f"--regid={pwd.getpwnam(user).pw_gid}", "--init-groups", "--"]
    raise RuntimeError(f"running as root: PostgreSQL must run as {user!r}, but neither runuser nor setpriv "
                       "(util-linux) is installed")


def require_postgres() -> Path:
    """The PostgreSQL binaries' folder, or skip the calling test with the reason (and how to install them)."""
    bindir = postgres_binaries()
    if bindir is None and os.environ.get("CI"):
        # CI installs PostgreSQL (.ci/run): there the gradebook tests must run, never be skipped.
        raise RuntimeError(f"CI must install PostgreSQL ({POSTGRES_APT_HINT}): the PostgreSQL gradebook tests need it")
    if bindir is None:
        pytest.skip(f"PostgreSQL is not installed ({POSTGRES_APT_HINT}); no initdb and pg_ctl on PATH "
                    "or in /usr/lib/postgresql/*/bin")
    if os.geteuid() == 0 and not (shutil.which("runuser") or shutil.which("setpriv")):
        pytest.skip("running as root, and PostgreSQL refuses root: neither runuser nor setpriv (util-linux) is "
                    "installed to run it as another user")
    return bindir


class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1, with trust authentication and one database.

    ``with PostgresServer(tmp_path) as pg:`` makes the cluster with initdb (the first time it starts), starts it
    on a free port and creates the database; ``pg.url`` is the SQLAlchemy URL of that database. ``stop``,
    ``start`` and ``restart`` keep the data and the port. ``__exit__`` stops the server and leaves the cluster's
    files in ``folder/postgres`` for the test's temporary folder to clean up.

    As root the server runs as ``postgres`` (or ``nobody``), which must be able to reach the cluster's folder.
    pytest's temporary folders are private to root (mode 0700), so in that case the cluster lives in a private
    folder of the system's temporary folder instead, which ``__exit__`` removes after copying the server's log
    to ``folder/postgres-server.log``.
    """

    def __init__(self, folder: Path, *, database: str = "gradebook", user: str = "grader",
                 bindir: Path | None = None, timeout: float = 30.0):
        self.folder = Path(folder)
        self.database = database
        self.user = user
        self.timeout = timeout
        self.bindir = Path(bindir) if bindir else postgres_binaries()
        if self.bindir is None:
            raise RuntimeError(f"PostgreSQL is not installed ({POSTGRES_APT_HINT}): no initdb and pg_ctl on PATH "
                               "or in /usr/lib/postgresql/*/bin")
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.os_user = _service_user()
        self.home: Path | None = None  # the cluster's folder: data, socket, server log
        self._outside = False  # whether home lies outside self.folder (root and an unreachable folder)
        self.running = False

    # -- where things are

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the database, naming the psycopg2 driver: SQLAlchemy 2.1 reads a bare
        ``postgresql://`` as psycopg 3, which the course does not install."""
        self._require_port()
        return f"postgresql+psycopg2://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def data_dir(self) -> Path:
        self._require_home()
        return self.home / "data"

    @property
    def log_path(self) -> Path:
        self._require_home()
        return self.home / "server.log"

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines) if self.home else "(the server never started)"

    def connect(self, database: str | None = None, **kwargs):
        """A psycopg2 connection to ``database`` (ours by default)."""
        import psycopg2

        self._require_port()
        kwargs.setdefault("connect_timeout", 5)
        return psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname=database or self.database,
                                **kwargs)

    def _require_port(self) -> None:
        if self.port is None:
            raise RuntimeError("PostgresServer has not started yet: use it as a context manager or call start()")

    def _require_home(self) -> None:
        if self.home is None:
            raise RuntimeError("PostgresServer has no cluster yet: use it as a context manager or call start()")

    # -- running programs

    def _run(self, name: str, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
        cmd = _as_user_prefix(self.os_user) + [str(self.bindir / name), *args]
        # cwd: the service user may not be allowed into ours; LC_ALL: initdb must not depend on the host's locale.
        env = {**os.environ, "LC_ALL": "C"}
        for var in ("PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGDATABASE", "PGOPTIONS"):
            env.pop(var, None)
        try:
            return subprocess.run(cmd, cwd=self.home, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=timeout or self.timeout + 15)
        except subprocess.TimeoutExpired as e:
            raise RuntimeError(f"{name} did not finish in {e.timeout:.0f} s: {shlex.join(cmd)}\n"
                               f"server log tail:\n{self.log_tail()}") from None

    def _fail(self, what: str, proc: subprocess.CompletedProcess) -> RuntimeError:
        return RuntimeError(f"PostgreSQL: {what} failed (exit {proc.returncode}): {shlex.join(proc.args)}\n"
                            f"{(proc.stdout + proc.stderr).strip()}\n--- server log tail ({self.log_path}):\n"
                            f"{self.log_tail()}")

    def _make_home(self) -> Path:
        home = self.folder / "postgres"
        home.mkdir(parents=True, exist_ok=True)
        if self.os_user is None:
            return home
        entry = pwd.getpwnam(self.os_user)
        os.chown(home, entry.pw_uid, entry.pw_gid)
        reach = subprocess.run(_as_user_prefix(self.os_user) + ["test", "-w", str(home), "-a", "-x", str(home)],
                               cwd="/", stdin=subprocess.DEVNULL, capture_output=True, timeout=15)
        if reach.returncode == 0:
            return home
        # A folder above is closed to the service user (pytest makes its temporary folders 0700).
        try:
            home.rmdir()
        except OSError:  # not ours to remove: it held something already
            pass
        home = Path(tempfile.mkdtemp(prefix="dgmcourse-postgres-"))
        os.chown(home, entry.pw_uid, entry.pw_gid)
        self._outside = True
        (self.folder / "postgres-cluster-path.txt").write_text(f"{home}\n")
        return home

    def _init_cluster(self) -> None:
        self.home = self._make_home()
        # --no-sync and the settings below trade durability for speed: the cluster dies with the test.
        proc = self._run("initdb", "-D", str(self.data_dir), "--auth=trust", "-U", self.user, "-E", "UTF8",
                         "--no-locale", "--no-sync")
        if proc.returncode != 0:
            raise self._fail("initdb", proc)
        socket_dir = self.home / "socket"
        socket_dir.mkdir()
        if self.os_user:
            entry = pwd.getpwnam(self.os_user)
            os.chown(socket_dir, entry.pw_uid, entry.pw_gid)
        # The socket folder goes in the config file rather than pg_ctl -o, which a shell splits at its spaces.
        sockets = str(socket_dir) if len(str(socket_dir)) <= _SOCKET_DIR_MAX else ""  # "": TCP only
        settings = {"listen_addresses": "127.0.0.1", "unix_socket_directories": sockets, "fsync": "off",
                    "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "50",
                    "shared_buffers": "32MB"}
        conf = "".join(f"{k} = '{v.replace(chr(39), chr(39) * 2)}'\n" for k, v in settings.items())
        with open(self.data_dir / "postgresql.conf", "a") as f:
            f.write("\n# tests/services.py: a throwaway cluster for tests\n" + conf)

    # -- life cycle

    def _pg_ctl(self, action: str, *args: str) -> subprocess.CompletedProcess:
        return self._run("pg_ctl", action, "-D", str(self.data_dir), "-w", "-t", str(int(self.timeout)), *args)

    def _start_args(self) -> list[str]:
        return ["-l", str(self.log_path), "-o", f"-p {self.port}"]

    def start(self) -> PostgresServer:
        """Start the server (making the cluster and the database the first time) and wait until it accepts
        connections; a no-op when it runs."""
        if self.running:
            return self
        first = self.home is None
        if first:
            self._init_cluster()
        attempts = 3 if self.port is None else 1  # a port chosen earlier stays: URLs handed out must keep working
        for attempt in range(attempts):
            if self.port is None or attempt:
                self.port = free_port(self.host)
            proc = self._pg_ctl("start", *self._start_args())
            if proc.returncode == 0:
                break
            # A server that pg_ctl stopped waiting for must not outlive the failure.
            self._kill_postmaster()
            # Another process took the free port between our check and the server's bind: try another.
            if "could not bind" not in self.log_tail(15) or attempt == attempts - 1:
                raise self._fail(f"starting the server on port {self.port}", proc)
        self.running = True
        self._wait_ready()
        if first:
            self._create_database()
        return self

    def _wait_ready(self) -> None:
        import psycopg2

        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.connect("postgres", connect_timeout=2).close()
                return
            except psycopg2.OperationalError as e:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL on {self.host}:{self.port} did not accept connections within "
                                       f"{self.timeout:.0f} s: {e}\n--- server log tail ({self.log_path}):\n"
                                       f"{self.log_tail()}") from None
                time.sleep(0.1)

    def _create_database(self) -> None:
        from psycopg2 import sql

        conn = self.connect("postgres")
        try:
            conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are cut); a no-op when it is not running."""
        if not self.running:
            return
        proc = self._pg_ctl("stop", "-m", "fast")
        if proc.returncode != 0:
            # A server that does not stop in time: stop it without a checkpoint, then for good.
            again = self._pg_ctl("stop", "-m", "immediate")
            if again.returncode != 0 and not self._kill_postmaster():
                raise self._fail("stopping the server", proc)
        self.running = False

    def _kill_postmaster(self) -> bool:
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return False
        try:
            # A stale pid file's pid may belong to another process by now: kill only our cluster's server.
            if str(self.data_dir) not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                return not pid_alive(pid)
            os.kill(pid, signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError):
            return True
        except PermissionError:
            return False
        deadline = time.monotonic() + 10
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        return not pid_alive(pid)

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: open sessions are cut, the data stays; waits until it accepts connections."""
        if not self.running:
            self.start()
            return
        proc = self._pg_ctl("restart", "-m", "fast", *self._start_args())
        if proc.returncode != 0:
            self._kill_postmaster()
            self.running = False
            raise self._fail("restarting the server", proc)
        self._wait_ready()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            if self._outside and self.home is not None:
                if self.log_path.exists():
                    shutil.copyfile(self.log_path, self.folder / "postgres-server.log")
                shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()


# ------------------------------------------------------------------------------------------------ Dask

def _dask_command() -> list[str]:
    """The ``dask`` command of the running interpreter's environment."""
    script = Path(sys.executable).parent / "dask"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dask"]


class DaskCluster:
    """A real Dask scheduler and ``n_workers`` worker processes on 127.0.0.1, each command in a process group
    of its own, logging to files in ``folder``.

    Workers are named ``w0``, ``w1``, ... (``client.submit(f, workers=["w0"])`` targets one), run one thread each
    and have no memory limit. With ``nanny=True`` (the default) a nanny runs each worker and restarts it when it
    dies, as in production; with ``nanny=False`` the ``dask worker`` process is the worker. ``preload`` modules
    or files are loaded by every worker (``--preload``), ``env`` is added to the workers' environment.

    The scheduler picks its own ports (``--port 0``) and reports them in a scheduler file, so no port is raced
    for. ``idle_timeout`` (seconds, None for none) ends a scheduler nobody stopped, such as one left by a killed
    test run; its workers follow once they lose it (``--death-timeout``).
    """

    def __init__(self, folder: Path, n_workers: int = 2, *, nanny: bool = True, preload: Sequence[str] = (),
                 env: Mapping[str, str] | None = None, timeout: float = 60.0, idle_timeout: float | None = 3600,
                 hide: Sequence[Path] = ()):
        if n_workers < 1:
            raise ValueError("a DaskCluster needs at least one worker")
        self.folder = Path(folder)
        self.n_workers = n_workers
        self.nanny = nanny
        self.preload = list(preload)
        self.env = dict(env or {})
        self.timeout = timeout
        self.idle_timeout = idle_timeout
        # Folders the workers must not see: each worker runs in a mount namespace of its own with an
        # empty, unreadable tmpfs over them (needs root), as a worker on another machine would.
        self.hide = [str(Path(h).resolve()) for h in hide]
        self.address: str | None = None
        self.dashboard: str | None = None
        self.worker_names = [f"w{i}" for i in range(n_workers)]
        self._procs: list[tuple[str, subprocess.Popen]] = []  # (log name, process), the scheduler first
        self._logs: list[Path] = []

    # -- starting

    def _hiding_prefix(self) -> list[str]:
        if not self.hide:
            return []
        script = 'for d in "$@"; do [ "$d" = -- ] && break; mount -t tmpfs -o size=1m,mode=000 none "$d" || exit 1; ' \
                 'done; while [ "$1" != -- ]; do shift; done; shift; exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh", *self.hide, "--"]

    def _spawn(self, name: str, args: list[str], env: Mapping[str, str] | None = None,
               prefix: Sequence[str] = ()) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        self._logs.append(log)
        with open(log, "ab") as out:
            proc = subprocess.Popen([*prefix, *_dask_command(), *args], stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, cwd=self.folder,
                                    env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
                                    start_new_session=True)  # its own process group: killed as one in close()
        self._procs.append((name, proc))
        return proc

    def _check_alive(self, what: str) -> None:
        for name, proc in self._procs:
            if proc.poll() is not None:
                raise RuntimeError(f"Dask {name} exited with code {proc.returncode} while {what}\n{self.log_tail()}")

    def start(self) -> DaskCluster:
        """Start the scheduler and the workers; return once the scheduler sees all workers."""
        if self._procs:
            raise RuntimeError("this DaskCluster has already been started")
        self.folder.mkdir(parents=True, exist_ok=True)
        scheduler_file = self.folder / "scheduler.json"
        scheduler_file.unlink(missing_ok=True)
        args = ["scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0",
                "--scheduler-file", str(scheduler_file)]
        if self.idle_timeout:
            args += ["--idle-timeout", f"{self.idle_timeout}s"]
        self._spawn("scheduler", args)
        info = self._read_scheduler_file(scheduler_file)
        self.address = info["address"]
        port = info.get("services", {}).get("dashboard")
        self.dashboard = f"http://127.0.0.1:{port}/status" if port else None

        for name in self.worker_names:
            local = self.folder / name
            local.mkdir(exist_ok=True)
            args = ["worker", self.address, "--name", name, "--host", "127.0.0.1", "--nthreads", "1",
                    "--nworkers", "1", "--memory-limit", "0", "--no-dashboard", "--local-directory", str(local),
                    "--death-timeout", "60", "--nanny" if self.nanny else "--no-nanny"]
            for module in self.preload:
                args += ["--preload", module]
            self._spawn(name, args, self.env, self._hiding_prefix())
        self._wait_for_workers()
        return self

    def _read_scheduler_file(self, path: Path) -> dict:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            self._check_alive("starting")
            try:
                info = json.loads(path.read_text())
                if info.get("address"):
                    return info
            except (FileNotFoundError, json.JSONDecodeError):  # not written yet, or half written
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the Dask scheduler wrote no address to {path} within {self.timeout:.0f} s\n"
                           f"{self.log_tail()}")

    def _client(self):
        from distributed import Client

        if self.address is None:
            raise RuntimeError("DaskCluster has not started yet: use it as a context manager or call start()")
        return Client(self.address, timeout=min(self.timeout, 20), set_as_default=False)

    def _wait_for_workers(self) -> None:
        deadline = time.monotonic() + self.timeout
        with self._client() as client:
            while True:
                try:
                    # Short waits, so that a worker that crashes at start fails the wait at once.
                    client.wait_for_workers(self.n_workers, timeout=1)
                    return
                except TimeoutError:
                    self._check_alive("waiting for the workers")
                    if time.monotonic() > deadline:
                        seen = len(client.scheduler_info(n_workers=-1)["workers"])
                        raise RuntimeError(f"the Dask scheduler saw {seen} of {self.n_workers} workers after "
                                           f"{self.timeout:.0f} s\n{self.log_tail()}") from None

    # -- looking and killing

    def workers(self) -> list[dict]:
        """Each worker the scheduler has now and that answers: name, address, pid (of the worker process, not
        its nanny), sorted by name."""
        with self._client() as client:
            info = client.scheduler_info(n_workers=-1)["workers"]
            # The scheduler does not keep pids: each worker says its own. One that just died answers with an
            # error (on_error="return") until the scheduler drops it, and is left out.
            pids = client.run(os.getpid, on_error="return", callback_timeout=20) if info else {}
        return sorted(({"name": str(w.get("name")), "address": address, "pid": pids[address]}
                       for address, w in info.items() if isinstance(pids.get(address), int)),
                      key=lambda w: w["name"])

    def wait_for_workers(self, timeout: float | None = None) -> list[dict]:
        """Wait until every worker (``w0``, ``w1``, ...) is with the scheduler and answers, as after a nanny
        restarted a killed one; return ``workers()``.

        Until then a task restricted to a missing worker's name may run elsewhere, so tests wait for this first.
        """
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            workers = self.workers()
            if sorted(w["name"] for w in workers) == sorted(self.worker_names):
                return workers
            self._check_alive("waiting for the workers to come back")
            if time.monotonic() > deadline:
                raise RuntimeError(f"after {timeout:.0f} s the scheduler has workers {workers}, not all of "
                                   f"{self.worker_names}\n{self.log_tail()}")
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        """The worker processes' pids (not the nannies'), in the order of the workers' names."""
        return [w["pid"] for w in self.workers()]

    def process_pids(self) -> list[int]:
        """The pids of the commands this cluster started: the scheduler, then each ``dask worker`` (a nanny
        when ``nanny``, else the worker itself)."""
        return [proc.pid for _, proc in self._procs]

    def kill_worker(self, index_or_pid: int, *, timeout: float = 10.0) -> int:
        """SIGKILL one worker process, given its index (``w<index>``) or its pid; return the pid once it is gone.

        With a nanny, the nanny starts a new worker process under the same name, as it would in production.
        """
        workers = self.workers()
        if 0 <= index_or_pid < self.n_workers:
            name = self.worker_names[index_or_pid]
            match = [w["pid"] for w in workers if w["name"] == name]
            if not match:
                raise RuntimeError(f"the scheduler has no worker {name} now (workers: {workers})")
            pid = match[0]
        else:
            pid = index_or_pid
            if pid not in [w["pid"] for w in workers]:
                raise ValueError(f"pid {pid} is not one of this cluster's workers: {workers}")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, proc in self._procs:
                proc.poll()  # reap a worker that is our own child (no nanny)
            if not pid_alive(pid):
                return pid
            time.sleep(0.02)
        raise RuntimeError(f"worker process {pid} still runs {timeout:.0f} s after SIGKILL")

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of each process's log."""
        return "\n".join(f"--- {log.name}:\n{_tail(log, lines)}" for log in self._logs) or "(nothing started)"

    # -- stopping

    def close(self, timeout: float = 10.0) -> None:
        """SIGKILL every process group this cluster started (scheduler, workers, nannies and their workers) and
        wait until none of their processes runs."""
        for _, proc in self._procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        for _, proc in self._procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        groups = [proc.pid for _, proc in self._procs]
        left = [pid for pgid in groups for pid in _group_members(pgid)]
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = [pid for pgid in groups for pid in _group_members(pgid)]
        self._procs.clear()
        if left:
            raise RuntimeError(f"Dask processes {left} still run {timeout:.0f} s after SIGKILL")

    def __enter__(self) -> DaskCluster:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()
