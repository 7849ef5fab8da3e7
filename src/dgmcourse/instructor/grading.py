"""``dgmcourse grade``: autograde every submission, one student at a time, each with a status.

Each (student, assignment) is graded by its own ``nbgrader autograde`` process, so a
broken submission costs only that student's run. Every submission found ends with a
status and, where grading ran, nbgrader's per-cell scores from the gradebook:

- ``graded``            nbgrader ran the notebook to the end;
- ``timed-out``         a cell hit the per-cell limit, or the whole run hit ``max_seconds``;
                        the cells that finished keep their points;
- ``crashed``           nbgrader itself failed on this submission; the reason quotes its log;
- ``invalid-notebook``  the submission is not something nbgrader can grade (missing or
                        unreadable notebook, a folder that is not an assignment).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import Course
from dgmcourse.student.reproducibility import SEED_ENV, SIZE_ENV

GRADED, TIMED_OUT, CRASHED, INVALID = "graded", "timed-out", "crashed", "invalid-notebook"
STATUSES = (GRADED, TIMED_OUT, CRASHED, INVALID)
DEFAULT_MAX_SECONDS = 1800


@dataclass(frozen=True)
class CellScore:
    notebook: str
    grade_id: str
    score: float
    max_score: float

    @property
    def task(self) -> str:
        return nb.task_of(self.grade_id)


@dataclass
class GradeResult:
    student: str
    assignment: str
    status: str
    reason: str = ""
    cells: list[CellScore] = field(default_factory=list)
    max_score: float = 0.0
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(cell.score for cell in self.cells)

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


def find_submissions(submitted_dir: Path) -> list[tuple[str, str]]:
    """(student, assignment folder) pairs in nbgrader's ``submitted/<student>/<assignment>/`` layout."""
    if not submitted_dir.is_dir():
        raise FileNotFoundError(f"{submitted_dir} is not a folder; expected submitted/<student>/<assignment>/")
    pairs = []
    for student in sorted(p for p in submitted_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for folder in sorted(p for p in student.iterdir() if p.is_dir() and not p.name.startswith(".")):
            pairs.append((student.name, folder.name))
    return pairs


def why_invalid(course: Course, folder: Path, assignment: str) -> str | None:
    """Why nbgrader cannot grade this folder, or None when it can."""
    if assignment not in course.assignments():
        return (f"folder {folder} is not an assignment of this course; "
                f"known assignments: {', '.join(course.assignments())}")
    expected = [p.name for p in course.released_notebooks(assignment)]
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    if not set(expected) & set(present):
        return (f"{folder} has none of the expected notebooks ({', '.join(expected)}); "
                f"found: {', '.join(present) or 'no .ipynb files'}")
    for name in expected:
        path = folder / name
        if not path.exists():
            continue
        try:
            notebook = nb.load(path)
        except UnicodeDecodeError:
            return f"{path} is not UTF-8 text"
        except json.JSONDecodeError as error:
            return f"{path} is not valid notebook JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        if not isinstance(notebook, dict) or notebook.get("nbformat") != 4:
            version = notebook.get("nbformat") if isinstance(notebook, dict) else None
            return f"{path} is nbformat {version!r}; only nbformat 4 notebooks can be graded"
    return None


def _tail(text: str, lines: int = 12) -> str:
    errors = [line for line in text.splitlines() if "[ERROR]" in line or "Error" in line]
    chosen = errors[-lines:] if errors else text.splitlines()[-lines:]
    return "\n".join(chosen)


def _run_bounded(command: list[str], cwd: Path, env: dict[str, str], max_seconds: float) -> tuple[int | None, str]:
    """Run a command in its own process group; on timeout kill the group (kernels included)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=max_seconds)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output


def _timed_out_cells(course: Course, student: str, assignment: str) -> list[str]:
    folder = course.autograded_dir / student / assignment
    names = []
    for path in sorted(folder.glob("*.ipynb")):
        for index, cell in enumerate(nb.load(path).get("cells", [])):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and "Timeout" in output.get("ename", ""):
                    names.append(f"{path.name} cell {index + 1}" + (f" ({nb.grade_id(cell)})" if nb.grade_id(cell) else ""))
    return names


def scores_from_gradebook(course: Course, student: str, assignment: str) -> list[CellScore]:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return []
        cells = [CellScore(notebook.name, grade.name, float(grade.score or 0.0), float(grade.max_score))
                 for notebook in submission.notebooks for grade in notebook.grades]
    order = {gid: i for i, gid in enumerate(max_points(course, assignment))}  # the notebook's order
    return sorted(cells, key=lambda cell: order.get(cell.grade_id, len(order)))


def grading_environment(seed: int, size: str = "grading") -> dict[str, str]:
    env = dict(os.environ)
    env[SEED_ENV] = str(seed)
    env[SIZE_ENV] = size
    env.setdefault("MPLBACKEND", "Agg")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def grade_submission(course: Course, submitted_dir: Path, student: str, assignment: str, *, seed: int = 0,
                     max_seconds: float = DEFAULT_MAX_SECONDS, feedback: bool = True) -> GradeResult:
    started = time.monotonic()
    folder = submitted_dir / student / assignment
    reason = why_invalid(course, folder, assignment)
    if reason:
        known = assignment in course.assignments()
        return GradeResult(student, assignment, INVALID, reason,
                           max_score=sum(max_points(course, assignment).values()) if known else 0.0,
                           seconds=time.monotonic() - started)

    command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--student", student, "--force",
               f"--CourseDirectory.root={course.root}",
               f"--CourseDirectory.submitted_directory={submitted_dir.resolve()}"]
    env = grading_environment(seed)
    returncode, log = _run_bounded(command, course.root, env, max_seconds)
    cells = scores_from_gradebook(course, student, assignment)
    total = sum(max_points(course, assignment).values())
    if returncode is None:
        status, reason = TIMED_OUT, f"grading took longer than the whole-notebook limit of {max_seconds:g} s and was stopped"
    elif returncode != 0 or not cells:
        status, reason = CRASHED, "nbgrader autograde failed:\n" + _tail(log)
    else:
        slow = _timed_out_cells(course, student, assignment)
        status, reason = (TIMED_OUT, "cell time limit reached in " + "; ".join(slow)) if slow else (GRADED, "")
    if feedback and status in (GRADED, TIMED_OUT):
        course.nbgrader("generate_feedback", assignment, "--student", student, "--force", env=env)
    return GradeResult(student, assignment, status, reason, cells, total, time.monotonic() - started)


def grade_all(course: Course, submitted_dir: Path, *, students: list[str] | None = None,
              assignments: list[str] | None = None, seed: int = 0, max_seconds: float = DEFAULT_MAX_SECONDS,
              feedback: bool = True, progress=None) -> list[GradeResult]:
    """Grade every matching submission in turn; never stops early."""
    results = []
    for student, assignment in find_submissions(submitted_dir):
        if students and student not in students:
            continue
        if assignments and assignment not in assignments:
            continue
        try:
            result = grade_submission(course, submitted_dir, student, assignment, seed=seed,
                                      max_seconds=max_seconds, feedback=feedback)
        except Exception as error:  # one submission must never stop the batch
            result = GradeResult(student, assignment, CRASHED, f"grading raised {type(error).__name__}: {error}")
        results.append(result)
        if progress:
            progress(result)
    return results
