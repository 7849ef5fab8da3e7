"""Grading one submission as a self-contained task: what it carries, the function that runs it, what it returns.

The coordinator (``grading.py``) stages a submission, packs it into a ``SubmissionTask`` and
hands it, with its assignment's ``AssignmentPack``, to an executor: a thread of the local pool
(``--jobs N``) or a Dask worker (``--scheduler ADDRESS``). Both call the same function,
``run_task``, and the coordinator records what it returns (``TaskOutcome``) in the gradebook
itself, so workers never touch the course or the gradebook.

``run_task`` reads nothing of the course directory. It builds a private course folder out of
what the task carries (the course's ``nbgrader_config.py``, a gradebook holding only this
assignment's rows, the staged submission), runs nbgrader's ``Autograde`` and
``GenerateFeedback`` there with the kernel in the sandbox, and returns the graded notebooks
and feedback pages as bytes. A worker needs the course package at the same version and
bubblewrap; nothing else of the course.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import socket
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from dgmcourse.student.reproducibility import SEED_ENV, SIZE_ENV

DEFAULT_MAX_SECONDS = 1800
# Environment variables a kernel may see; everything else of the grader's environment stays out.
KERNEL_ENV = (SEED_ENV, SIZE_ENV, "MPLBACKEND", "DGMCOURSE_MNIST_DIR", "DGMCOURSE_DEVICE", "OMP_NUM_THREADS")
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
CONFIG_FILE = "nbgrader_config.py"
PRIVATE_GRADEBOOK = "gradebook.db"


@dataclass
class GradingOptions:
    seed: int = 0
    size: str = "grading"
    max_seconds: float = DEFAULT_MAX_SECONDS
    feedback: bool = True
    sandbox: bool = True
    memory_mb: int = 6144
    max_processes: int = 256
    max_output_bytes: int = 5_000_000
    max_output_bytes_per_cell: int = 1_000_000
    # Threads each kernel's torch/NumPy may use; None leaves the libraries' default (all cores).
    kernel_threads: int | None = None

    def fingerprint(self) -> dict:
        """What decides a grade (not how fast it comes): part of the ledger's key.

        Numbers are compared as numbers: ``--max-seconds 1800`` is the default 1800, not a change.
        """
        settings = asdict(self)
        settings.pop("kernel_threads")
        return {key: float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
                for key, value in settings.items()}


@dataclass(frozen=True)
class AssignmentPack:
    """What every submission of one assignment needs, built once per run by the coordinator."""
    assignment: str
    config_text: str   # the course's nbgrader_config.py
    gradebook: bytes   # a sqlite gradebook holding this assignment's rows alone (cells, sources, due date)
    fingerprint: str   # sha256 of the config and of those rows: a changed test changes it
    # notebook file name -> the master's headings and graded cells' metadata, no code (the task labels)
    label_skeletons: dict[str, bytes] = field(default_factory=dict)
    # the coordinator's course package (code_fingerprint()): a worker running other code refuses the task
    code: str = ""
    # the misconception catalogue (misconceptions.Catalogue.to_json()): probes and the outputs to compare
    # with, never a solution's code; {} names no mistake
    catalogue: dict = field(default_factory=dict)


@dataclass
class SubmissionTask:
    student: str
    assignment: str
    files: dict[str, bytes]                             # the staged submission folder, by file name
    blocked: dict[str, str] = field(default_factory=dict)  # tests the static scan zeroes, and why
    options: GradingOptions = field(default_factory=GradingOptions)


@dataclass
class TaskOutcome:
    returncode: int | None   # 0 nbgrader succeeded, 1 it failed, None stopped at the time limit
    log: str
    feedback: str | None     # None: none asked for; "": written; else what went wrong
    autograded: dict[str, bytes] = field(default_factory=dict)  # autograded/<student>/<assignment>/ files
    pages: dict[str, bytes] = field(default_factory=dict)       # feedback/<student>/<assignment>/ pages
    seconds: float = 0.0
    host: str = ""           # where it ran, for the reason of a crash


# --- the settings every kernel sees -------------------------------------------------------
def run_settings(options: GradingOptions) -> dict[str, str]:
    """What every kernel of this run must see: seed, size, a headless plot backend, thread limits."""
    env = {SEED_ENV: str(options.seed), SIZE_ENV: options.size, "MPLBACKEND": "Agg"}
    if options.kernel_threads:
        env.update({key: str(options.kernel_threads) for key in THREAD_ENV})
    return env


def kernel_environment(options: GradingOptions) -> dict[str, str]:
    env = {key: os.environ[key] for key in KERNEL_ENV if os.environ.get(key)}
    env.update(run_settings(options))
    return env


def grader_environment(options: GradingOptions) -> dict[str, str]:
    """The environment nbgrader runs in: this process's own, plus the run's settings."""
    from dgmcourse.instructor.sandbox.sandbox_only import OPT_OUT_ENV

    env = dict(os.environ)
    env.update(run_settings(options))  # what an unsandboxed kernel inherits
    # The course's kernel manager refuses unsandboxed kernels; --unsafe is the instructor's opt-out.
    if options.sandbox:
        env.pop(OPT_OUT_ENV, None)
    else:
        env[OPT_OUT_ENV] = "1"
    # nbgrader shells out to alembic, which lives next to this interpreter.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _font_cache() -> dict[str, str]:
    """The grader's matplotlib font list, for the kernel's scratch (saves it rebuilding, seconds)."""
    try:
        import matplotlib

        cached = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
        return {f".matplotlib/{cached[-1].name}": str(cached[-1])} if cached else {}
    except Exception:  # only a speed-up
        return {}


_kernelspec_lock = threading.Lock()


def _sandbox_setup(work: Path, options: GradingOptions):
    """Environment and nbgrader configuration that put this submission's kernel in the sandbox.

    The cgroups are made here, by the grader, and named in the settings file, which lives
    in ``work`` outside every folder the kernel can write.
    """
    from dgmcourse.instructor.sandbox import cgroups
    from dgmcourse.instructor.sandbox.kernelspec import prepare_dirs, python_paths, write_kernelspec
    from dgmcourse.instructor.sandbox.settings import SETTINGS_ENV, SandboxSettings

    env_for_kernel = kernel_environment(options)
    # The kernel imports the same course package as the grader, whichever install that is.
    env_for_kernel["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    read_only = python_paths()
    if env_for_kernel.get("DGMCOURSE_MNIST_DIR"):
        read_only.append(env_for_kernel["DGMCOURSE_MNIST_DIR"])
    made = cgroups.create(options.max_processes, options.memory_mb * 1024 * 1024)
    settings = SandboxSettings(scratch=str(work / "scratch"), runtime=str(work / "runtime"), read_only=read_only,
                               env=env_for_kernel, memory_mb=options.memory_mb, max_processes=options.max_processes,
                               cgroups=made.paths, cgroup_limits=made.limits, files=_font_cache())
    prepare_dirs(settings)
    settings_file = settings.write(work / "sandbox.json")
    with _kernelspec_lock:
        spec_root = write_kernelspec(work / "kernelspec")
    env = {SETTINGS_ENV: str(settings_file), "JUPYTER_PATH": str(spec_root),
           "JUPYTER_RUNTIME_DIR": settings.runtime}
    config = {"KernelManager": {"transport": "ipc", "ip": f"{settings.runtime}/kernel-ipc"}}
    return env, config, made


# --- the task ------------------------------------------------------------------------------
def _safe_name(name: str) -> str:
    """A file name the coordinator sent: one path component, never a way out of the folder."""
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    return name


def unpack(task: SubmissionTask, pack: AssignmentPack, root: Path) -> Path:
    """The private course folder of one task; returns its submitted/ folder."""
    (root / "source" / task.assignment).mkdir(parents=True)
    for name, data in pack.label_skeletons.items():  # only ever *.ipynb: nbgrader copies no notebook from source/
        (root / "source" / task.assignment / _safe_name(name)).write_bytes(data)
    (root / CONFIG_FILE).write_text(pack.config_text, encoding="utf-8")
    (root / PRIVATE_GRADEBOOK).write_bytes(pack.gradebook)
    folder = root / "submitted" / task.student / task.assignment
    folder.mkdir(parents=True)
    for name, data in task.files.items():
        (folder / _safe_name(name)).write_bytes(data)
    return root / "submitted"


def _files_in(folder: Path, pattern: str) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.glob(pattern)) if p.is_file() and not p.is_symlink()}


TASK_FOLDER_PREFIX = "dgmcourse-task-"


def sweep_task_folders() -> int:
    """Remove the task folders of grading processes that were killed midway (they hold students' work)."""
    import re
    import shutil

    from dgmcourse.instructor.sandbox.cgroups import process_alive

    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{TASK_FOLDER_PREFIX}*-*"):
        match = re.match(rf"{TASK_FOLDER_PREFIX}(\d+)-", folder.name)
        if not match or folder.is_symlink() or not folder.is_dir() or process_alive(int(match.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


_local = threading.local()
_sandbox_works = False  # once the sandbox started in this process; a failure is probed again next task


def mark_sandbox_works() -> None:
    """The coordinator checked the sandbox in this process already: tasks run here need not probe it."""
    global _sandbox_works
    _sandbox_works = True


class WrongCourseVersion(RuntimeError):
    """A worker runs other course code than the coordinator: its grades could differ, so it grades nothing."""


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of this course package's Python files and templates: what grades, and how."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    kinds = (".py", ".j2", ".json", ".html", ".css")
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in kinds):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _thread_worker(options: GradingOptions):
    """This thread's grading process, kept for the next task (a Dask worker's threads reuse theirs)."""
    from dgmcourse.instructor.grading_worker import WorkerProcess

    if getattr(_local, "worker", None) is None:
        from dgmcourse.instructor.sandbox.cgroups import sweep_leftovers

        sweep_leftovers()  # kernels' cgroups of a worker process on this machine that was killed midway
        sweep_task_folders()  # and its task folders
        _local.worker = WorkerProcess(grader_environment(options))
    return _local.worker


def probe_sandbox():
    """Start the sandbox once in a throwaway folder (``SandboxUnavailable`` if it cannot); its settings."""
    from dgmcourse.instructor.sandbox.kernelspec import probe, python_paths
    from dgmcourse.instructor.sandbox.settings import SandboxSettings

    with tempfile.TemporaryDirectory(prefix="dgmcourse-probe-") as tmp:
        settings = SandboxSettings(scratch=f"{tmp}/scratch", runtime=f"{tmp}/runtime", read_only=python_paths())
        probe(settings)
    mark_sandbox_works()  # the tasks this process runs need not probe it again
    return settings


def _require_sandbox_here(options: GradingOptions, host: str) -> None:
    """Raise ``SandboxUnavailable`` when the sandbox cannot start on this machine.

    Raised, not returned as an outcome: the machine failed, not the submission, so nothing
    is recorded and the next run grades it (on a machine that can).
    """
    if not options.sandbox or _sandbox_works:
        return
    from dgmcourse.instructor.sandbox.settings import SandboxUnavailable

    try:
        probe_sandbox()
    except SandboxUnavailable as error:
        raise SandboxUnavailable(f"the grading sandbox cannot start on {host}: {error}") from None


def _dask_kernel_threads(options: GradingOptions) -> int | None:
    """On a Dask worker, the cores each of its threads' kernels may use (as --jobs sets them), else None."""
    if options.kernel_threads is not None or os.environ.get("OMP_NUM_THREADS"):
        return None
    try:
        from distributed import get_worker

        nthreads = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):  # not on a Dask worker
        return None
    return max(1, (os.cpu_count() or 1) // max(1, nthreads))


def run_task(task: SubmissionTask, pack: AssignmentPack, worker=None) -> TaskOutcome:
    """Grade one packed submission; the one grading function of the local pool and of Dask workers.

    ``worker`` is the nbgrader process to use (``grading_worker.WorkerProcess``); without one,
    this thread's own is used and kept for its next task.
    """
    started = time.monotonic()
    host = f"{socket.gethostname()} (pid {os.getpid()})"
    if pack.code and pack.code != code_fingerprint():
        raise WrongCourseVersion(f"the course package on {host} is not the coordinator's (code "
                                 f"{code_fingerprint()[:12]} here, {pack.code[:12]} there): install the "
                                 "coordinator's version on every worker")
    _require_sandbox_here(task.options, host)
    threads = _dask_kernel_threads(task.options)
    if threads:
        task = replace(task, options=replace(task.options, kernel_threads=threads))
    worker = worker or _thread_worker(task.options)
    with tempfile.TemporaryDirectory(prefix=f"{TASK_FOLDER_PREFIX}{os.getpid()}-") as tmp:
        root, work = Path(tmp, "course"), Path(tmp, "work")
        work.mkdir()
        submitted = unpack(task, pack, root)
        plan = work / "plan.json"
        plan.write_text(json.dumps({"blocked": task.blocked, "diagnosis": pack.catalogue}, allow_nan=True))
        options = task.options
        env = grader_environment(options)
        config = {
            "CourseDirectory": {"root": str(root), "submitted_directory": str(submitted),
                                "db_url": f"sqlite:///{root / PRIVATE_GRADEBOOK}"},
            "BoundedExecute": {"notebook_timeout": int(options.max_seconds), "grading_plan": str(plan),
                               "max_output_bytes": options.max_output_bytes,
                               "max_output_bytes_per_cell": options.max_output_bytes_per_cell},
        }
        from dgmcourse.instructor.sandbox.cgroups import KernelCgroups

        made = KernelCgroups()
        try:
            if options.sandbox:
                sandbox_env, sandbox_config, made = _sandbox_setup(work, options)
                env.update(sandbox_env)
                config.update(sandbox_config)
            request = {"course_root": str(root), "assignment": task.assignment, "student": task.student,
                       "config": config, "env": env, "feedback": options.feedback}
            # Outer limit: BoundedExecute stops the notebook in time; this only catches a stuck nbgrader.
            returncode, log, feedback = worker.grade(request, timeout=options.max_seconds + 180)
        finally:
            made.remove()  # whatever happened to the kernel or the worker
        # nbgrader copies the submission into autograded/ before it runs it, and removes the copy when it fails;
        # a run that never answered (stopped at the outer limit, killed) leaves the unrun copy, which would score
        # as if every test passed. Nothing of it is returned: its notebooks are recorded as not graded.
        answered = getattr(worker, "answered", True)
        autograded = _files_in(root / "autograded" / task.student / task.assignment, "*") if answered else {}
        # The pages, and the timestamp.txt that `nbgrader release_feedback` reads beside them.
        pages = _files_in(root / "feedback" / task.student / task.assignment, "*")
    return TaskOutcome(returncode, log, feedback, autograded, pages, time.monotonic() - started, host)


# --- the assignment's pack (built by the coordinator) ----------------------------------------
def _row(obj) -> dict:
    """A cell's own columns (inherited ones too), without the ids that tie it to this gradebook."""
    from sqlalchemy import inspect

    return {a.key: getattr(obj, a.key) for a in inspect(obj).mapper.column_attrs
            if a.key not in ("id", "notebook_id", "type")}


def shown_url(db_url: str) -> str:
    """A database URL fit to print: no password, no query."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(db_url).set(query={}).render_as_string(hide_password=True)
    except Exception:
        return "the configured database"


def build_pack(config_text: str, db_url: str, assignment: str,
               label_skeletons: dict[str, bytes] | None = None) -> AssignmentPack:
    """Copy one assignment's rows out of the course gradebook into a small sqlite gradebook of its own.

    The rows are those nbgrader's ``Autograde`` and ``GenerateFeedback`` read: the assignment
    (its due date), its notebooks and their grade, solution, task and source cells. No
    student's row travels. Raises ``LookupError`` when the gradebook has no such assignment.
    """
    from nbgrader.api import Gradebook, MissingEntry

    rows: dict = {"notebooks": []}
    with Gradebook(db_url) as source:
        try:
            found = source.find_assignment(assignment)
        except MissingEntry:
            raise LookupError(f"the gradebook ({shown_url(db_url)}) has no assignment {assignment!r}: run "
                              f"`dgmcourse release {assignment}` against this gradebook first") from None
        rows["assignment"] = {"duedate": found.duedate, "course_id": found.course_id}
        for notebook in found.notebooks:
            rows["notebooks"].append({
                "name": notebook.name, "kernelspec": notebook.kernelspec,
                "grade_cells": [_row(c) for c in notebook.grade_cells],
                "solution_cells": [_row(c) for c in notebook.solution_cells],
                "task_cells": [_row(c) for c in notebook.task_cells],
                "source_cells": [_row(c) for c in notebook.source_cells]})
    with tempfile.TemporaryDirectory(prefix="dgmcourse-pack-") as tmp:
        path = Path(tmp, PRIVATE_GRADEBOOK)
        with Gradebook(f"sqlite:///{path}", rows["assignment"]["course_id"]) as target:
            target.update_or_create_assignment(assignment, duedate=rows["assignment"]["duedate"])
            for notebook in rows["notebooks"]:
                target.update_or_create_notebook(notebook["name"], assignment, kernelspec=notebook["kernelspec"])
                for kind, add in (("grade_cells", target.add_grade_cell), ("solution_cells", target.add_solution_cell),
                                  ("task_cells", target.add_task_cell), ("source_cells", target.add_source_cell)):
                    for cell in notebook[kind]:
                        values = dict(cell)
                        add(values.pop("name"), notebook["name"], assignment, **values)
        data = path.read_bytes()
    canonical = json.dumps(rows, sort_keys=True, default=str).encode() + config_text.encode()
    return AssignmentPack(assignment, config_text, data, hashlib.sha256(canonical).hexdigest(),
                          dict(label_skeletons or {}), code_fingerprint())
