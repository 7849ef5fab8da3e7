"""``dgmcourse grade``: autograde submissions safely, each with a status and a reason.

For each (student, assignment) the pipeline is:

1. **stage**: copy the submission into a private stage folder, repairing each notebook
   (``repair.py``) or giving up on it with ``invalid-notebook``;
2. **scan** the student's code for ways to fake a grade (``tamper_scan.py``);
3. **autograde** with nbgrader's own ``Autograde`` (and ``GenerateFeedback``) converters,
   in a grading worker process that each job keeps for its submissions
   (``grading_worker.py``), with the kernel in a bubblewrap sandbox (``sandbox/``) and
   ``BoundedExecute`` enforcing the limits and running integrity canaries;
4. **read** the scores from the gradebook and what happened from the graded notebook.

Statuses, one per submission:

- ``graded``            the notebook ran to the end;
- ``timed-out``         a cell or the whole notebook hit its time limit; earlier cells keep their points;
- ``crashed``           the kernel died (crash, ``os._exit``, memory) or nbgrader failed; earlier cells keep
                        their points where nbgrader saved them;
- ``invalid-notebook``  nothing gradable: missing, empty, unparsable, wrong format, another assignment's;
- ``flagged``           tampering was found; the affected tests scored 0 and the reason says what;
- ``needs-review``      graded with every point kept, but the static scan found code it cannot judge
                        (the reason says what and where): look at it before releasing grades.

A reason is also given, whatever the status, when no feedback could be written.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import Course
from dgmcourse.instructor.grading_worker import WorkerProcess
from dgmcourse.instructor.repair import repair
from dgmcourse.instructor.sandbox.cgroups import KernelCgroups, sweep_leftovers
from dgmcourse.instructor.plain_files import importable, link_in_path, read_plain_file, why_not_plain
from dgmcourse.instructor.tamper_scan import blocked_tests, review_notes, scan
from dgmcourse.student.reproducibility import SEED_ENV, SIZE_ENV

GRADED, TIMED_OUT, CRASHED, INVALID, FLAGGED = "graded", "timed-out", "crashed", "invalid-notebook", "flagged"
NEEDS_REVIEW = "needs-review"
STATUSES = (GRADED, TIMED_OUT, CRASHED, INVALID, FLAGGED, NEEDS_REVIEW)
DEFAULT_MAX_SECONDS = 1800
# Environment variables a kernel may see; everything else of the grader's environment stays out.
KERNEL_ENV = (SEED_ENV, SIZE_ENV, "MPLBACKEND", "DGMCOURSE_MNIST_DIR", "DGMCOURSE_DEVICE", "OMP_NUM_THREADS")
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass(frozen=True)
class CellScore:
    notebook: str
    grade_id: str
    score: float
    max_score: float

    @property
    def task(self) -> str:
        return nb.task_of(self.grade_id)


@dataclass(frozen=True)
class SubmissionTiming:
    submitted_at: str = ""   # nbgrader's timestamp of the submission (UTC), "" when it had none
    due_date: str = ""       # the assignment's due date in the gradebook (UTC), "" when none is set
    seconds_late: float = 0.0
    late_penalty: float = 0.0  # points taken by the late policy (nbgrader_config.py)

    @property
    def late(self) -> bool:
        return self.seconds_late > 0


@dataclass
class GradeResult:
    student: str
    assignment: str
    status: str
    reason: str = ""
    cells: list[CellScore] = field(default_factory=list)
    max_score: float = 0.0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    # Kernel start to shutdown, summed over the notebooks; `seconds` adds staging and nbgrader around it.
    notebook_seconds: float = 0.0
    # From the gradebook: nbgrader's submission timestamp, the due date, lateness and its penalty.
    timing: SubmissionTiming = field(default_factory=lambda: SubmissionTiming())
    graded_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))

    @property
    def score(self) -> float:
        """Points earned by the tests, before any late penalty."""
        return sum(cell.score for cell in self.cells)

    @property
    def final_score(self) -> float:
        """What counts: the score less the late penalty (never below 0)."""
        return max(0.0, self.score - self.timing.late_penalty)

    def cell(self, grade_id: str) -> CellScore:
        for cell in self.cells:
            if cell.grade_id == grade_id:
                return cell
        raise KeyError(f"{self.student}/{self.assignment} has no graded cell {grade_id!r}")


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


def max_points(course: Course, assignment: str) -> dict[str, float]:
    """Test-cell grade id -> points, read from the master notebooks."""
    return {nb.grade_id(cell): nb.points(cell)
            for path in course.master_notebooks(assignment)
            for cell in nb.load(path)["cells"] if nb.is_test(cell)}


NOT_SUBMISSIONS = {".ipynb_checkpoints", ".git", "__pycache__", ".DS_Store", ".Trash-0"}


def find_submissions(submitted_dir: Path) -> list[tuple[str, str]]:
    """(student, assignment folder) pairs in nbgrader's ``submitted/<student>/<assignment>/`` layout."""
    if not submitted_dir.is_dir():
        raise FileNotFoundError(f"{submitted_dir} is not a folder; expected submitted/<student>/<assignment>/")
    pairs = []
    # A student id may start with a dot (nbgrader allows it); only tools' own folders are skipped.
    for student in sorted(p for p in submitted_dir.iterdir() if p.is_dir() and p.name not in NOT_SUBMISSIONS):
        for folder in sorted(p for p in student.iterdir() if p.is_dir() and p.name not in NOT_SUBMISSIONS):
            pairs.append((student.name, folder.name))
    return pairs


# --- 1. stage ---------------------------------------------------------------------------
CLAIMED_TIMESTAMP = "timestamp.claimed.txt"  # written by SafeCollect (safe_collect.py)


def _first_line(path: Path) -> str:
    data = read_plain_file(path) if why_not_plain(path) is None else None
    lines = (data or b"").decode("utf-8", "replace").strip().splitlines()
    return lines[0][:80] if lines else "?"


def _unreadable_timestamp(path: Path) -> str | None:
    """Why nbgrader could not read this timestamp.txt (it would crash on it), or None."""
    from nbgrader.utils import parse_utc

    data = read_plain_file(path) if why_not_plain(path) is None else None
    if data is None or len(data) > 200:
        return "is not a small plain file"
    try:
        parse_utc(data.decode("utf-8").strip())
    except Exception as error:
        return f"cannot be read as a time ({type(error).__name__})"
    return None


@dataclass
class Staged:
    folder: Path | None
    invalid: str | None = None
    notes: list[str] = field(default_factory=list)
    blocked: dict[str, str] = field(default_factory=dict)
    review: list[str] = field(default_factory=list)  # findings that keep the points but need a look


def stage(course: Course, source: Path, destination: Path, assignment: str) -> Staged:
    """Repair each expected notebook of ``source`` into ``destination`` and scan it.

    Only plain files are read (``plain_files.py``): a link, whatever it points to, is
    never followed, so no course file can reach the stage, the kernel or the feedback.
    """
    if assignment not in course.assignments():
        return Staged(None, f"folder {source} is not an assignment of this course; "
                            f"known assignments: {', '.join(course.assignments())}")
    link = link_in_path(source, source.parents[1])
    if link is not None:
        return Staged(None, f"{link} is a symbolic link; submissions are graded only from real folders "
                            "(links are never followed)")
    released = {p.name: nb.load(p) for p in course.released_notebooks(assignment)}
    present = sorted(p.name for p in source.glob("*.ipynb"))
    if not set(released) & set(present):
        return Staged(None, f"{source} has none of the expected notebooks ({', '.join(released)}); "
                            f"found: {', '.join(present) or 'no .ipynb files'}")
    destination.mkdir(parents=True, exist_ok=True)
    staged = Staged(destination)
    for entry in sorted(source.iterdir()):  # data files and timestamp.txt travel as they are
        if entry.suffix == ".ipynb":
            continue
        if entry.name == CLAIMED_TIMESTAMP:
            staged.review.append("collect dated this submission by its last change, later than its "
                                 f"timestamp.txt claimed ({_first_line(entry)}): check the late penalty")
            continue
        if entry.name == "timestamp.txt":
            problem = _unreadable_timestamp(entry)
            if problem:
                staged.review.append(f"timestamp.txt {problem}: lateness unknown, graded as on time; "
                                     "check the submission time in the exchange")
                continue
        if importable(entry):
            staged.notes.append(f"{entry.name} is Python code Python would import in place of a module: "
                                "not copied (submit notebooks; data files travel)")
            continue
        problem = why_not_plain(entry)
        data = None if problem else read_plain_file(entry)
        if data is None:
            staged.notes.append(f"{entry.name} {problem or 'changed while it was read'}: not copied")
            continue
        (destination / entry.name).write_bytes(data)
    for name, student_version in released.items():
        path = source / name
        if not os.path.lexists(path):
            staged.notes.append(f"{name} is missing: its tests score 0")
            continue
        problem = why_not_plain(path)
        raw = None if problem else read_plain_file(path)
        if raw is None:
            return Staged(None, f"{path} {problem or 'changed while it was read'}; only a plain notebook file "
                                "is graded (links are never followed)", staged.notes)
        outcome = repair(raw, str(path), student_version)
        staged.notes.extend(f"{name}: {note}" for note in outcome.notes)
        if outcome.invalid:
            return Staged(None, outcome.invalid, staged.notes)
        nb.save(outcome.notebook, destination / name)
        findings = scan(outcome.notebook, student_version)
        staged.blocked.update(blocked_tests(outcome.notebook, findings))
        staged.review.extend(review_notes(findings))
    return staged


# --- 3. autograde -----------------------------------------------------------------------
_kernelspec_lock = threading.Lock()


def _run_settings(options: GradingOptions) -> dict[str, str]:
    """What every kernel of this run must see: seed, size, a headless plot backend, thread limits."""
    env = {SEED_ENV: str(options.seed), SIZE_ENV: options.size, "MPLBACKEND": "Agg"}
    if options.kernel_threads:
        env.update({key: str(options.kernel_threads) for key in THREAD_ENV})
    return env


def _kernel_environment(options: GradingOptions) -> dict[str, str]:
    env = {key: os.environ[key] for key in KERNEL_ENV if os.environ.get(key)}
    env.update(_run_settings(options))
    return env


def _font_cache() -> dict[str, str]:
    """The grader's matplotlib font list, for the kernel's scratch (saves it rebuilding, seconds)."""
    try:
        import matplotlib

        cached = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
        return {f".matplotlib/{cached[-1].name}": str(cached[-1])} if cached else {}
    except Exception:  # only a speed-up
        return {}


def _sandbox_setup(work: Path, options: GradingOptions) -> tuple[dict[str, str], dict, KernelCgroups]:
    """Environment and nbgrader configuration that put this submission's kernel in the sandbox.

    The cgroups are made here, by the grader, and named in the settings file, which lives
    in ``work`` outside every folder the kernel can write.
    """
    from dgmcourse.instructor.sandbox import cgroups
    from dgmcourse.instructor.sandbox.kernelspec import prepare_dirs, python_paths, write_kernelspec
    from dgmcourse.instructor.sandbox.settings import SETTINGS_ENV, SandboxSettings

    env_for_kernel = _kernel_environment(options)
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


def _tail(text: str, lines: int = 12) -> str:
    errors = [line for line in text.splitlines() if "[ERROR]" in line or "Error" in line]
    return "\n".join((errors or text.splitlines())[-lines:])


def grader_environment(options: GradingOptions) -> dict[str, str]:
    """The environment nbgrader runs in: the grader's own, plus the run's settings."""
    from dgmcourse.instructor.sandbox.sandbox_only import OPT_OUT_ENV

    env = dict(os.environ)
    env.update(_run_settings(options))  # what an unsandboxed kernel inherits
    # The course's kernel manager refuses unsandboxed kernels; --unsafe is the instructor's opt-out.
    if options.sandbox:
        env.pop(OPT_OUT_ENV, None)
    else:
        env[OPT_OUT_ENV] = "1"
    # nbgrader shells out to alembic, which lives next to this interpreter.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def autograde(course: Course, stage_root: Path, work: Path, student: str, assignment: str,
              staged: Staged, options: GradingOptions, worker: WorkerProcess) -> tuple[int | None, str, bool | None]:
    """``nbgrader autograde`` (and feedback) for one staged submission, in ``worker``."""
    plan = work / "plan.json"
    plan.write_text(json.dumps({"blocked": staged.blocked}))
    env = grader_environment(options)
    config = {
        "CourseDirectory": {"root": str(course.root), "submitted_directory": str(stage_root),
                            # Parallel jobs share the gradebook: wait for the lock instead of failing.
                            "db_url": f"sqlite:///{course.gradebook}?timeout=120"},
        "BoundedExecute": {"notebook_timeout": int(options.max_seconds), "grading_plan": str(plan),
                           "max_output_bytes": options.max_output_bytes,
                           "max_output_bytes_per_cell": options.max_output_bytes_per_cell},
    }
    made = KernelCgroups()
    try:
        if options.sandbox:
            sandbox_env, sandbox_config, made = _sandbox_setup(work, options)
            env.update(sandbox_env)
            config.update(sandbox_config)
        request = {"assignment": assignment, "student": student, "config": config, "env": env,
                   "feedback": options.feedback}
        # Outer limit: BoundedExecute stops the notebook in time; this only catches a stuck nbgrader.
        returncode, log, feedback = worker.grade(request, timeout=options.max_seconds + 180)
    finally:
        made.remove()  # whatever happened to the kernel or the worker
    return returncode, log, feedback


# --- 4. read ----------------------------------------------------------------------------
def _utc(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else ""


def timing_from_gradebook(course: Course, student: str, assignment: str) -> SubmissionTiming:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"{course.db_url}?timeout=120") as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return SubmissionTiming()
        return SubmissionTiming(_utc(submission.timestamp), _utc(submission.assignment.duedate),
                                float(submission.total_seconds_late or 0.0),
                                float(submission.late_submission_penalty or 0.0))


def scores_from_gradebook(course: Course, student: str, assignment: str) -> list[CellScore]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"{course.db_url}?timeout=120") as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return []
        cells = [CellScore(notebook.name, grade.name, float(grade.score or 0.0), float(grade.max_score))
                 for notebook in submission.notebooks for grade in notebook.grades]
    order = {gid: i for i, gid in enumerate(max_points(course, assignment))}  # the notebook's order
    return sorted(cells, key=lambda cell: order.get(cell.grade_id, len(order)))


def _what_happened(course: Course, student: str, assignment: str) -> tuple[dict, list[str]]:
    """The BoundedExecute record of each graded notebook, and cells that hit the cell time limit."""
    records, slow = {}, []
    for path in sorted((course.autograded_dir / student / assignment).glob("*.ipynb")):
        notebook = nb.load(path)
        records[path.name] = notebook.get("metadata", {}).get("dgmcourse", {})
        for index, cell in enumerate(notebook.get("cells", [])):
            if any(o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError"
                   for o in cell.get("outputs", [])):
                slow.append(f"{path.name} cell {index + 1}" + (f" ({nb.grade_id(cell)})" if nb.grade_id(cell) else ""))
    return records, slow


def _status(records: dict, slow: list[str], returncode: int | None, log: str,
            max_seconds: float, review: list[str] | None = None) -> tuple[str, str]:
    tampering = {gid: why for record in records.values() for gid, why in record.get("tampering", {}).items()}
    stops = [(record.get("stop_kind"), f"{name}: {record['stopped']}") for name, record in records.items()
             if record.get("stopped")]
    also = ("; to review (points kept): " + "; ".join(review)) if review else ""
    if tampering:
        reasons = sorted(set(tampering.values()))
        return FLAGGED, "; ".join(reasons) + f" (tests scored 0: {', '.join(sorted(tampering))})" + also
    if returncode is None:
        return TIMED_OUT, f"grading took longer than {max_seconds:g} s and was stopped" + also
    if returncode != 0:
        return CRASHED, "nbgrader autograde failed:\n" + _tail(log) + also
    for kind, reason in stops:
        return (CRASHED if kind == "crashed" else TIMED_OUT), reason + also
    if slow:
        return TIMED_OUT, "cell time limit reached in " + "; ".join(slow) + also
    if review:
        return NEEDS_REVIEW, "points kept; the static scan could not judge: " + "; ".join(review)
    return GRADED, ""


def _feedback_problem(course: Course, student: str, assignment: str, options: GradingOptions,
                      returncode: int | None, feedback: str | None) -> str:
    """Why the student has no feedback, or "" when every graded notebook has its page."""
    if not options.feedback or returncode is None:
        return ""
    if feedback:
        return f"no feedback was written: {feedback}"
    autograded = course.autograded_dir / student / assignment
    missing = [p.stem for p in sorted(autograded.glob("*.ipynb"))
               if not (course.feedback_dir / student / assignment / f"{p.stem}.html").is_file()]
    if missing:
        return "no feedback was written for " + ", ".join(missing)
    return ""


def _with_overrides(options: GradingOptions | None, overrides: dict) -> GradingOptions:
    options = options or GradingOptions()
    for key, value in overrides.items():
        setattr(options, key, value)
    return options


def grade_submission(course: Course, submitted_dir: Path, student: str, assignment: str, *,
                     options: GradingOptions | None = None, worker: WorkerProcess | None = None,
                     **overrides) -> GradeResult:
    """Grade one submission; never raises for anything the submission contains.

    ``worker`` is the grading process to use; without one, a worker is started for this
    submission alone.
    """
    options = _with_overrides(options, overrides)
    if worker is None:
        with WorkerProcess(course.root, grader_environment(options)) as own_worker:
            return grade_submission(course, submitted_dir, student, assignment, options=options, worker=own_worker)
    started = time.monotonic()
    known = assignment in course.assignments()
    total = sum(max_points(course, assignment).values()) if known else 0.0
    with tempfile.TemporaryDirectory(prefix="dgmcourse-grade-") as tmp:
        work = Path(tmp)
        stage_root = work / "submitted"
        staged = stage(course, submitted_dir / student / assignment, stage_root / student / assignment, assignment)
        if staged.invalid:
            return GradeResult(student, assignment, INVALID, staged.invalid, max_score=total,
                               seconds=time.monotonic() - started, notes=staged.notes)
        returncode, log, feedback = autograde(course, stage_root, work, student, assignment, staged, options, worker)
    cells = scores_from_gradebook(course, student, assignment)
    records, slow = _what_happened(course, student, assignment)
    status, reason = _status(records, slow, returncode, log, options.max_seconds, staged.review)
    if status == CRASHED and not cells:
        reason += "\n(no scores were saved)"
    problem = _feedback_problem(course, student, assignment, options, returncode, feedback)
    if problem:
        reason = "; ".join(part for part in (reason, problem) if part)
    notebook_seconds = sum(record.get("execution_seconds", 0.0) for record in records.values())
    return GradeResult(student, assignment, status, reason, cells, total, time.monotonic() - started, staged.notes,
                       notebook_seconds, timing_from_gradebook(course, student, assignment))


def backup_gradebook(course: Course, keep: int = 20) -> Path | None:
    """Copy the gradebook aside before a run (``gradebook-backups/``), keeping the newest ``keep``."""
    if not course.gradebook.exists():
        return None
    folder = course.root / "gradebook-backups"
    folder.mkdir(exist_ok=True)
    target = folder / time.strftime("gradebook-%Y%m%d-%H%M%S.db")
    counter = 1
    while target.exists():
        target = folder / time.strftime(f"gradebook-%Y%m%d-%H%M%S-{counter}.db")
        counter += 1
    shutil.copy2(course.gradebook, target)
    for old in sorted(folder.glob("gradebook-*.db"))[:-keep]:
        old.unlink()
    return target


def check_sandbox(options: GradingOptions) -> str:
    """Refuse to grade when the sandbox cannot start, unless the instructor asked for --unsafe.

    Returns what binds kernels less tightly here than the README's table says ("" when nothing).
    """
    if not options.sandbox:
        return ""
    from dgmcourse.instructor.sandbox.cgroups import fallback_note
    from dgmcourse.instructor.sandbox.kernelspec import probe, python_paths
    from dgmcourse.instructor.sandbox.settings import SandboxSettings

    with tempfile.TemporaryDirectory(prefix="dgmcourse-probe-") as tmp:
        settings = SandboxSettings(scratch=f"{tmp}/scratch", runtime=f"{tmp}/runtime", read_only=python_paths())
        probe(settings)
    return fallback_note(options.max_processes, options.memory_mb,
                         settings.tmp_mb + settings.shm_mb + settings.scratch_mb)


def sandbox_if_possible(options: GradingOptions, warn) -> None:
    """Turn the sandbox off, with a warning, where it cannot start.

    Only for the course's own reference code (the demo, the benchmark): grading it without
    the sandbox risks nothing. Real submissions go through ``grade_all``, which refuses.
    """
    from dgmcourse.instructor.sandbox.settings import SandboxUnavailable

    try:
        check_sandbox(options)
    except SandboxUnavailable as error:
        warn(f"WARNING: {error}\nGrading only the course's reference code, so continuing without the sandbox.")
        options.sandbox = False


def grade_all(course: Course, submitted_dir: Path, *, students: list[str] | None = None,
              assignments: list[str] | None = None, options: GradingOptions | None = None, jobs: int = 1,
              progress=None, warn=None, **overrides) -> list[GradeResult]:
    """Grade every matching submission, ``jobs`` at a time; never stops early, never loses one."""
    options = _with_overrides(options, overrides)
    if jobs > 1 and options.kernel_threads is None and not os.environ.get("OMP_NUM_THREADS"):
        # Kernels that each start one thread per core fight over the cores when several run at once.
        options.kernel_threads = max(1, (os.cpu_count() or 1) // jobs)
    sweep_leftovers()  # cgroups of an earlier grader that was killed before it cleaned up
    note = check_sandbox(options)
    if note and warn:
        warn(f"NOTE: {note}.")
    backup_gradebook(course)
    todo = [(s, a) for s, a in find_submissions(submitted_dir)
            if (not students or s in students) and (not assignments or a in assignments)]
    lock = threading.Lock()
    # One worker per job, each importing nbgrader once (see grading_worker.py).
    local = threading.local()
    workers: list[WorkerProcess] = []

    def one(pair: tuple[str, str]) -> GradeResult:
        student, assignment = pair
        if not hasattr(local, "worker"):
            local.worker = WorkerProcess(course.root, grader_environment(options))
            with lock:
                workers.append(local.worker)
        try:
            result = grade_submission(course, submitted_dir, student, assignment, options=options,
                                      worker=local.worker)
        except Exception as error:  # a bug of ours must not cost the other students their grades
            result = GradeResult(student, assignment, CRASHED, f"grading raised {type(error).__name__}: {error}")
        if progress:
            with lock:
                progress(result)
        return result

    try:
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            return list(pool.map(one, todo))
    finally:
        for worker in workers:
            worker.close()
        sweep_leftovers(include_own=True)  # every kernel of this run is gone now
