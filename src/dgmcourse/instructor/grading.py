"""``dgmcourse grade``: autograde submissions safely, each with a status and a reason.

For each (student, assignment) the pipeline is:

1. **stage**: copy the submission into a private stage folder, repairing each notebook
   (``repair.py``) or giving up on it with ``invalid-notebook``;
2. **scan** the student's code for ways to fake a grade (``tamper_scan.py``);
3. **run** the packed submission (``grading_task.py``): nbgrader's own ``Autograde`` (and
   ``GenerateFeedback``) in a private course folder, in a grading worker process
   (``grading_worker.py``), with the kernel in a bubblewrap sandbox (``sandbox/``) and
   ``BoundedExecute`` enforcing the limits and running integrity canaries. The same
   function runs in a thread of the local pool (``--jobs``) or on a Dask worker
   (``dask_grading.py``);
4. **record**: this process alone writes the gradebook (nbgrader's ``SaveAutoGrades`` and
   ``AssignLatePenalties`` on the graded notebooks), the graded notebooks and the feedback,
   retrying while the database is away, then the ledger row (``ledger.py``);
5. **read** the scores from the gradebook and what happened from the graded notebook.

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

import contextlib
import os
import shutil
import tempfile
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import CONFIG_FILE, Course, connection_url
from dgmcourse.instructor.grading_task import (  # noqa: F401 - the options and settings are part of this API
    DEFAULT_MAX_SECONDS,
    KERNEL_ENV,
    THREAD_ENV,
    AssignmentPack,
    GradingOptions,
    SubmissionTask,
    TaskOutcome,
    build_pack,
    grader_environment,
    probe_sandbox,
    run_settings,
    run_task,
    sweep_task_folders,
)
from dgmcourse.instructor.grading_worker import WorkerProcess
from dgmcourse.instructor.ledger import Ledger, settings_hash, submission_hash
from dgmcourse.instructor.repair import repair
from dgmcourse.instructor.sandbox.cgroups import sweep_leftovers
from dgmcourse.instructor.plain_files import importable, link_in_path, read_plain_file, why_not_plain
from dgmcourse.instructor.tamper_scan import blocked_tests, review_notes, scan

GRADED, TIMED_OUT, CRASHED, INVALID, FLAGGED = "graded", "timed-out", "crashed", "invalid-notebook", "flagged"
NEEDS_REVIEW = "needs-review"
STATUSES = (GRADED, TIMED_OUT, CRASHED, INVALID, FLAGGED, NEEDS_REVIEW)


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
    # task -> the named mistake ({"mistake", "tells", "function"}), for tasks that lost points (diagnosis.py)
    diagnoses: dict[str, dict] = field(default_factory=dict)
    diagnosis_seconds: float = 0.0
    graded_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))

    @property
    def score(self) -> float:
        """Points earned by the tests, before any late penalty."""
        return sum(cell.score for cell in self.cells)

    @property
    def final_score(self) -> float:
        """What counts: the score less the late penalty (never below 0)."""
        return max(0.0, self.score - self.timing.late_penalty)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "GradeResult":
        data = dict(data)
        data["cells"] = [CellScore(**cell) for cell in data.get("cells", [])]
        data["timing"] = SubmissionTiming(**data.get("timing", {}))
        return cls(**data)

    def cell(self, grade_id: str) -> CellScore:
        for cell in self.cells:
            if cell.grade_id == grade_id:
                return cell
        raise KeyError(f"{self.student}/{self.assignment} has no graded cell {grade_id!r}")


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
# Data files a submission may bring besides its notebooks. No assignment needs any; past these,
# thousands of empty files made nbgrader's per-file ignore checks take minutes and killed the
# kernel, and hundreds of megabytes would travel in every Dask task.
MAX_DATA_FILES = 100
MAX_DATA_BYTES = 64 * 1024 * 1024


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
    copied, copied_bytes, left = 0, 0, []
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
        if problem is None and entry.name != "timestamp.txt" and (
                copied >= MAX_DATA_FILES or copied_bytes + entry.lstat().st_size > MAX_DATA_BYTES):
            left.append(entry.name)
            continue
        data = None if problem else read_plain_file(entry)
        if data is None:
            staged.notes.append(f"{entry.name} {problem or 'changed while it was read'}: not copied")
            continue
        (destination / entry.name).write_bytes(data)
        if entry.name != "timestamp.txt":
            copied, copied_bytes = copied + 1, copied_bytes + len(data)
    if left:
        staged.review.append(f"{len(left)} data file(s) past the first {MAX_DATA_FILES} or "
                             f"{MAX_DATA_BYTES // 2**20} MB were not copied (from {left[0]}): no assignment "
                             "needs them; look at what was submitted")
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


# --- 2. pack ----------------------------------------------------------------------------
def prepare(course: Course, submitted_dir: Path, student: str, assignment: str, options: GradingOptions,
            work: Path) -> tuple[SubmissionTask | None, Staged]:
    """Stage and scan one submission in ``work`` and pack it as a task (None when there is nothing to grade)."""
    staged = stage(course, submitted_dir / student / assignment, work / "submitted" / student / assignment,
                   assignment)
    if staged.invalid:
        return None, staged
    files = {p.name: p.read_bytes() for p in sorted(staged.folder.iterdir()) if p.is_file()}
    return SubmissionTask(student, assignment, files, dict(staged.blocked), options), staged


def pack_assignment(course: Course, assignment: str, *, warn=None) -> AssignmentPack:
    """The assignment's pack, from this course's config and gradebook (``LookupError`` if never released there).

    It carries the assignment's misconception catalogue; one that cannot be built is reported
    through ``warn`` and the batch is graded without naming mistakes (grades never depend on it).
    """
    import dataclasses
    import json

    from dgmcourse.instructor import misconceptions
    from dgmcourse.instructor.preprocessors.task_labels import label_skeleton

    skeletons = {path.name: json.dumps(label_skeleton(nb.load(path))).encode()
                 for path in course.master_notebooks(assignment)}
    pack = with_retries(lambda: build_pack((course.root / CONFIG_FILE).read_text(encoding="utf-8"),
                                           connection_url(course.db_url), assignment, skeletons),
                        f"reading {assignment} from the gradebook")
    try:
        catalogue = misconceptions.build(course.root, assignment)
    except (misconceptions.CatalogueError, OSError, SyntaxError, ValueError) as error:
        if warn:
            warn(f"WARNING: {assignment}: no mistakes will be named in the feedback: {error}")
        catalogue = None
    return dataclasses.replace(pack, catalogue=catalogue.to_json()) if catalogue else pack


# --- 4. record --------------------------------------------------------------------------
# Waits of 1, 2, 4, ... 32, then 60 s between tries: about four minutes in all, long enough for
# a database server to restart, short enough that a gradebook that is gone ends the wait.
RECORD_TRIES = 10


NOT_RECORDED = "graded, but not recorded"


def recorded(result: "GradeResult") -> bool:
    """Whether ``result`` is in the gradebook, so that the ledger may keep it."""
    return not result.reason.startswith(NOT_RECORDED)


class RecordFailed(Exception):
    """The gradebook could not be written after every try; the message says why."""


def _transient(error: Exception) -> bool:
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    return isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated)


def with_retries(action, what: str, *, tries: int = RECORD_TRIES, warn=None):
    """``action()``, tried again while the database is unreachable, locked or restarting."""
    wait = 1.0
    for attempt in range(1, tries + 1):
        try:
            return action()
        except Exception as error:
            if not _transient(error):
                raise
            if attempt == tries:
                raise RecordFailed(f"{what}: the gradebook did not answer after {tries} tries "
                                   f"({type(error).__name__}: {str(error).splitlines()[0][:200]})") from error
            if warn:
                warn(f"{what}: the gradebook did not answer ({type(error).__name__}); trying again in {wait:g} s")
            time.sleep(wait)
            wait = min(wait * 2, 60.0)


def _replace_folder(folder: Path, files: dict[str, bytes]) -> None:
    """``folder`` holding exactly ``files``: what an earlier grading of this submission left goes."""
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)
    if not files:
        return
    folder.mkdir(parents=True)
    for name, data in files.items():
        if "/" in name or name in ("", ".", ".."):
            continue  # a worker only ever sends plain names; anything else is not ours to write
        (folder / name).write_bytes(data)


def _submission_time(task: SubmissionTask):
    """The timestamp.txt nbgrader would read (stage() only passes one that parses), or None."""
    from nbgrader.utils import parse_utc

    data = task.files.get("timestamp.txt")
    return parse_utc(data.decode("utf-8").strip()) if data else None


def _record_in_gradebook(course: Course, task: SubmissionTask, outcome: TaskOutcome, config) -> None:
    """What nbgrader's ``Autograde`` writes to the gradebook, written by nbgrader's own code, here."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

    url = connection_url(course.db_url)
    # nbgrader's own submission code warns about its session's autoflush; the rows are right (as in Autograde).
    warnings.filterwarnings("ignore", message=".*not in session.*", module="nbgrader")
    graded = {Path(name).stem: data for name, data in outcome.autograded.items() if name.endswith(".ipynb")}
    with Gradebook(url) as gradebook:
        gradebook.update_or_create_student(task.student)
        timestamp = _submission_time(task)
        gradebook.update_or_create_submission(task.assignment, task.student,
                                              **({"timestamp": timestamp} if timestamp else {}))
        # A notebook not submitted, or not graded because nbgrader failed on it, earns nothing
        # (nbgrader's Autograde does the same for a missing notebook).
        for notebook in gradebook.find_assignment(task.assignment).notebooks:
            if notebook.name not in graded:
                submitted = gradebook.find_submission_notebook(notebook.name, task.assignment, task.student)
                for grade in submitted.grades:
                    grade.auto_score, grade.needs_manual_grade = 0, False
                gradebook.db.commit()
    for name, data in graded.items():
        resources = {"nbgrader": {"notebook": name, "assignment": task.assignment, "student": task.student,
                                  "db_url": url}}
        notebook = nbformat.reads(data.decode("utf-8"), as_version=nbformat.NO_CONVERT)
        SaveAutoGrades(config=config).preprocess(notebook, resources)
        AssignLatePenalties(config=config).preprocess(notebook, resources)


def record(course: Course, task: SubmissionTask, outcome: TaskOutcome, *, warn=None) -> None:
    """Write one outcome into the course: graded notebooks, feedback pages, then the gradebook (retried)."""
    from dgmcourse.instructor.grading_worker import _course_config

    config = _course_config(str(course.root))
    # The gradebook first: while it cannot be written, the earlier graded notebook and feedback stay.
    with_retries(lambda: _record_in_gradebook(course, task, outcome, config),
                 f"recording {task.student}/{task.assignment}", warn=warn)
    _replace_folder(course.autograded_dir / task.student / task.assignment, outcome.autograded)
    _replace_folder(course.feedback_dir / task.student / task.assignment, outcome.pages)


def _tail(text: str, lines: int = 12) -> str:
    errors = [line for line in text.splitlines() if "[ERROR]" in line or "Error" in line]
    return "\n".join((errors or text.splitlines())[-lines:])


# --- 5. read ----------------------------------------------------------------------------
def _utc(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else ""


def timing_from_gradebook(course: Course, student: str, assignment: str) -> SubmissionTiming:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(connection_url(course.db_url)) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return SubmissionTiming()
        return SubmissionTiming(_utc(submission.timestamp), _utc(submission.assignment.duedate),
                                float(submission.total_seconds_late or 0.0),
                                float(submission.late_submission_penalty or 0.0))


def scores_from_gradebook(course: Course, student: str, assignment: str) -> list[CellScore]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(connection_url(course.db_url)) as gradebook:
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


def finish(course: Course, task: SubmissionTask, staged: Staged, outcome: TaskOutcome, started: float,
           *, warn=None) -> GradeResult:
    """Record one outcome and read back its result; a gradebook that stays away gives ``crashed``, unrecorded."""
    options = task.options
    total = sum(max_points(course, task.assignment).values())
    try:
        record(course, task, outcome, warn=warn)
        cells = with_retries(lambda: scores_from_gradebook(course, task.student, task.assignment),
                             "reading the scores back", warn=warn)
        timing = with_retries(lambda: timing_from_gradebook(course, task.student, task.assignment),
                              "reading the submission time back", warn=warn)
    except RecordFailed as error:
        return GradeResult(task.student, task.assignment, CRASHED,
                           f"{NOT_RECORDED}: {error}. Its earlier graded notebook and feedback are unchanged, and "
                           "the gradebook may hold part of this grading; run `dgmcourse grade` again once the "
                           "gradebook answers: it grades this submission again",
                           max_score=total, seconds=time.monotonic() - started, notes=staged.notes)
    records, slow = _what_happened(course, task.student, task.assignment)
    status, reason = _status(records, slow, outcome.returncode, outcome.log, options.max_seconds, staged.review)
    if status == CRASHED and not cells:
        reason += "\n(no scores were saved)"
    problem = _feedback_problem(course, task.student, task.assignment, options, outcome.returncode, outcome.feedback)
    if problem:
        reason = "; ".join(part for part in (reason, problem) if part)
    notebook_seconds = sum(record.get("execution_seconds", 0.0) for record in records.values())
    lost = {cell.task for cell in cells if cell.score < cell.max_score}
    diagnoses = {task: named for record in records.values() for task, named in record.get("diagnoses", {}).items()
                 if task in lost}
    return GradeResult(task.student, task.assignment, status, reason, cells, total, time.monotonic() - started,
                       staged.notes, notebook_seconds, timing, diagnoses,
                       sum(record.get("diagnosis_seconds", 0.0) for record in records.values()))


def _invalid(course: Course, student: str, assignment: str, staged: Staged, started: float) -> GradeResult:
    total = sum(max_points(course, assignment).values()) if assignment in course.assignments() else 0.0
    return GradeResult(student, assignment, INVALID, staged.invalid, max_score=total,
                       seconds=time.monotonic() - started, notes=staged.notes)


def _not_packed(student: str, assignment: str, error: Exception, started: float, total: float) -> GradeResult:
    return GradeResult(student, assignment, CRASHED, f"not graded: {error}", max_score=total,
                       seconds=time.monotonic() - started)


def grade_submission(course: Course, submitted_dir: Path, student: str, assignment: str, *,
                     options: GradingOptions | None = None, worker: WorkerProcess | None = None,
                     pack: AssignmentPack | None = None, warn=None, **overrides) -> GradeResult:
    """Grade one submission here (stage, run, record, read); never raises for anything the submission contains.

    ``worker`` is the grading process to use; without one, a worker is started for this
    submission alone. ``pack`` is the assignment's (built here when not given).
    """
    options = _with_overrides(options, overrides)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dgmcourse-stage-") as tmp:
        task, staged = prepare(course, submitted_dir, student, assignment, options, Path(tmp))
    if task is None:
        return _invalid(course, student, assignment, staged, started)
    try:
        pack = pack or pack_assignment(course, assignment, warn=warn)
    except (LookupError, RecordFailed) as error:
        return _not_packed(student, assignment, error, started, sum(max_points(course, assignment).values()))
    if worker is None:
        with WorkerProcess(grader_environment(options)) as own_worker:
            outcome = run_task(task, pack, own_worker)
    else:
        outcome = run_task(task, pack, worker)
    return finish(course, task, staged, outcome, started, warn=warn)


def backup_gradebook(course: Course, keep: int = 20) -> Path | None:
    """Copy a sqlite gradebook aside before a run (``gradebook-backups/``), keeping the newest ``keep``.

    A PostgreSQL gradebook is backed up by its server's own tools (pg_dump), not here.
    """
    if not course.uses_default_gradebook or not course.gradebook.exists():
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

    settings = probe_sandbox()
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


@dataclass
class Batch:
    """What a run is about to do, told to the caller before the first grade (for its progress bar)."""
    to_grade: int
    unchanged: int          # skipped: graded before, with the same submission and settings (the ledger)
    dashboard: str = ""     # the Dask dashboard's address, when a cluster grades


def _kernel_threads(options: GradingOptions, jobs: int) -> None:
    if jobs > 1 and options.kernel_threads is None and not os.environ.get("OMP_NUM_THREADS"):
        # Kernels that each start one thread per core fight over the cores when several run at once.
        options.kernel_threads = max(1, (os.cpu_count() or 1) // jobs)


def grade_all(course: Course, submitted_dir: Path, *, students: list[str] | None = None,
              assignments: list[str] | None = None, options: GradingOptions | None = None, jobs: int = 1,
              scheduler=None, regrade: bool = False, progress=None, started=None, warn=None,
              **overrides) -> list[GradeResult]:
    """Grade every matching submission; never stops early, never loses one, never records one twice.

    ``jobs`` threads of this machine grade at a time, or, with ``scheduler`` (a Dask address or
    ``distributed.Client``), the cluster's workers do; either way each runs ``run_task`` and this
    process alone records. Submissions the ledger shows graded, unchanged, under the same settings
    are not graded again (their earlier result is returned) unless ``regrade``.
    ``started(Batch)`` is called once before grading, ``progress(result)`` after each new grade.
    """
    options = _with_overrides(options, overrides)
    if scheduler is None:
        _kernel_threads(options, jobs)
        sweep_leftovers()  # cgroups of an earlier grader that was killed before it cleaned up
        sweep_task_folders()  # and its task folders, which hold students' work
        note = check_sandbox(options)  # a cluster's workers check their own sandbox, each on its machine
        if note and warn:
            warn(f"NOTE: {note}.")
    backup_gradebook(course)
    todo = [(s, a) for s, a in find_submissions(submitted_dir)
            if (not students or s in students) and (not assignments or a in assignments)]
    ledger = with_retries(lambda: Ledger(connection_url(course.db_url)), "opening the ledger", warn=warn)
    entries = {} if regrade else with_retries(ledger.entries, "reading the ledger", warn=warn)
    packs: dict[str, AssignmentPack | Exception] = {}
    for assignment in sorted({a for _, a in todo} & set(course.assignments())):
        try:
            packs[assignment] = pack_assignment(course, assignment, warn=warn)
        except (LookupError, RecordFailed) as error:
            packs[assignment] = error
    results: dict[tuple[str, str], GradeResult] = {}
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    for student, assignment in todo:
        pack = packs.get(assignment)
        settings = settings_hash(pack.fingerprint if isinstance(pack, AssignmentPack) else "",
                                 options.fingerprint())
        keys[student, assignment] = (submission_hash(submitted_dir / student / assignment), settings)
        entry = entries.get((student, assignment))
        if entry and (entry.submission_sha256, entry.settings_sha256) == keys[student, assignment]:
            results[student, assignment] = GradeResult.from_dict(entry.result)
    pending = [pair for pair in todo if pair not in results]
    lock = threading.Lock()  # one writer: records, reports and the ledger, one submission at a time

    def done(result: GradeResult, *, ledgered: bool = True) -> None:
        with lock:
            results[result.student, result.assignment] = result
            if progress:
                progress(result)
            key = result.student, result.assignment
            try:
                if ledgered:
                    with_retries(lambda: ledger.record(*key, *keys[key], result.status, result.to_dict()),
                                 f"writing the ledger for {result.student}/{result.assignment}", warn=warn)
                else:  # not graded, or not recorded: an earlier row must not make the next run skip it
                    with_retries(lambda: ledger.forget(*key), f"updating the ledger for {key[0]}/{key[1]}", warn=warn)
            except RecordFailed as error:
                if warn:
                    warn(f"{error}; check this submission's row in reports/grades.csv and grade it again "
                         f"with --regrade --student {key[0]} --assignment {key[1]}")

    try:
        if scheduler is not None:
            from dgmcourse.instructor.dask_grading import grade_on_cluster

            grade_on_cluster(course, submitted_dir, pending, packs, options, scheduler, done, started,
                             unchanged=len(todo) - len(pending), warn=warn)
        else:
            if started:
                started(Batch(len(pending), len(todo) - len(pending)))
            _grade_locally(course, submitted_dir, pending, packs, options, jobs, done, lock, warn)
    finally:
        ledger.close()
        if scheduler is None:
            sweep_leftovers(include_own=True)  # every kernel of this run is gone now
    return [results[pair] for pair in todo if pair in results]


def grade_packed(course: Course, submitted_dir: Path, student: str, assignment: str, packs: dict,
                 options: GradingOptions, run, *, lock=None, warn=None) -> tuple[GradeResult, bool]:
    """Stage, run (``run(task, pack)``) and record one submission: (its result, whether to ledger it).

    A bug of ours is reported as that submission's ``crashed``, and the batch goes on.
    """
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="dgmcourse-stage-") as tmp:
            task, staged = prepare(course, submitted_dir, student, assignment, options, Path(tmp))
        if task is None:
            return _invalid(course, student, assignment, staged, started), True
        pack = packs.get(assignment)
        if not isinstance(pack, AssignmentPack):
            return _not_packed(student, assignment, pack, started, sum(max_points(course, assignment).values())), False
        outcome = run(task, pack)
        with lock or contextlib.nullcontext():
            result = finish(course, task, staged, outcome, started, warn=warn)
        return result, recorded(result)
    except Exception as error:
        return GradeResult(student, assignment, CRASHED, f"grading raised {type(error).__name__}: {error}"), False


def _grade_locally(course: Course, submitted_dir: Path, pending: list[tuple[str, str]], packs: dict,
                   options: GradingOptions, jobs: int, done, lock, warn) -> None:
    """``jobs`` threads, each with a grading process of its own (importing nbgrader once)."""
    local = threading.local()
    workers: list[WorkerProcess] = []

    def one(pair: tuple[str, str]) -> None:
        if not hasattr(local, "worker"):
            local.worker = WorkerProcess(grader_environment(options))
            with lock:
                workers.append(local.worker)
        result, ledgered = grade_packed(course, submitted_dir, *pair, packs, options,
                                        lambda task, pack: run_task(task, pack, local.worker), lock=lock, warn=warn)
        done(result, ledgered=ledgered)

    try:
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            list(pool.map(one, pending))
    finally:
        for worker in workers:
            worker.close()
