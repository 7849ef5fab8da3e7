"""Grades out of a batch: CSV files, a students x assignments table, a points-per-task plot."""
from __future__ import annotations

import contextlib
import csv
import fcntl
import os
import time
from collections import defaultdict
from pathlib import Path

from dgmcourse.instructor.grading import GRADED, GradeResult


SUMMARY_COLUMNS = ["student", "assignment", "status", "score", "late_penalty", "final_score", "max_score",
                   "submitted_at", "due_date", "late", "seconds_late", "graded_at", "seconds", "reason"]
CELL_COLUMNS = ["student", "assignment", "notebook", "task", "grade_id", "score", "max_score", "graded_at",
                "diagnosis"]
MISCONCEPTION_COLUMNS = ["assignment", "task", "students_who_lost_points", "mistake", "students", "tells"]
NOT_NAMED = "(not named)"


def summary_row(r: GradeResult) -> dict[str, str]:
    t = r.timing
    return {"student": r.student, "assignment": r.assignment, "status": r.status, "score": f"{r.score:g}",
            "late_penalty": f"{t.late_penalty:g}", "final_score": f"{r.final_score:g}", "max_score": f"{r.max_score:g}",
            "submitted_at": t.submitted_at, "due_date": t.due_date, "late": "yes" if t.late else "no",
            "seconds_late": f"{t.seconds_late:.0f}", "graded_at": r.graded_at, "seconds": f"{r.seconds:.1f}",
            "reason": r.reason}


def cell_rows(r: GradeResult) -> list[dict[str, str]]:
    """One row per test cell; ``diagnosis`` names the mistake behind a lost test, where one was named."""
    return [{"student": r.student, "assignment": r.assignment, "notebook": c.notebook, "task": c.task,
             "grade_id": c.grade_id, "score": f"{c.score:g}", "max_score": f"{c.max_score:g}", "graded_at": r.graded_at,
             "diagnosis": r.diagnoses.get(c.task, {}).get("mistake", "") if c.score < c.max_score else ""}
            for c in r.cells]


def _read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_rows(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    """Write through a temporary file and rename it over ``path``: a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", restval="")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, path)


def _merged(old: list[dict[str, str]], new: list[dict[str, str]], regraded: set[tuple[str, str]]):
    """Rows of ``old`` for submissions not graded again, then ``new``; sorted by assignment and student."""
    kept = [row for row in old if (row.get("student", ""), row.get("assignment", "")) not in regraded]
    return sorted(kept + new, key=lambda row: (row.get("assignment", ""), row.get("student", "")))


class Recorder:
    """This run's records, added one submission at a time, so that a run stopped midway keeps
    every grade it finished.

    - ``runs/grades-<UTC time>.csv``: this run's rows exactly, a file per run, appended to
      and never rewritten;
    - ``grades.csv`` (one row per submission) and ``grades_by_cell.csv`` (one per test cell):
      the merged view, where each submission graded now replaces its earlier row and every
      other row is kept, so grading one student or one assignment loses nothing.

    Each update holds a lock on the folder, so two runs at once cannot drop each other's rows.
    """

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.summary, self.by_cell = directory / "grades.csv", directory / "grades_by_cell.csv"
        runs = directory / "runs"
        runs.mkdir(exist_ok=True)
        with self._locked():
            stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
            run_file, counter = runs / f"grades-{stamp}.csv", 1
            while run_file.exists():
                run_file, counter = runs / f"grades-{stamp}-{counter}.csv", counter + 1
            _write_rows(run_file, SUMMARY_COLUMNS, [])
        self.run_file = run_file

    @contextlib.contextmanager
    def _locked(self):
        with open(self.directory / ".grades.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def add(self, results: list[GradeResult]) -> None:
        new_summary = [summary_row(r) for r in results]
        new_cells = [row for r in results for row in cell_rows(r)]
        regraded = {(r.student, r.assignment) for r in results}
        with self._locked():
            with open(self.run_file, "a", newline="", encoding="utf-8") as handle:
                csv.DictWriter(handle, fieldnames=SUMMARY_COLUMNS, extrasaction="ignore").writerows(new_summary)
                handle.flush()
                os.fsync(handle.fileno())
            for path, columns, new in ((self.summary, SUMMARY_COLUMNS, new_summary),
                                       (self.by_cell, CELL_COLUMNS, new_cells)):
                old = _read_rows(path)
                # Columns an instructor added by hand (a comment, a manual adjustment) are kept.
                added = [name for name in dict.fromkeys(k for row in old for k in row)
                         if name and name not in columns]
                _write_rows(path, columns + added, _merged(old, new, regraded))


def write_csv(results: list[GradeResult], directory: Path) -> tuple[Path, Path]:
    """Add a finished run's results to the records (see ``Recorder``); ``grades.csv`` and ``grades_by_cell.csv``."""
    recorder = Recorder(directory)
    recorder.add(results)
    return recorder.summary, recorder.by_cell


def _cell_text(result: GradeResult) -> str:
    """``points/max``, with the late penalty already taken and marked, and the status when not ``graded``."""
    text = f"{result.final_score:g}/{result.max_score:g}"
    if result.timing.late:
        text += f" late(-{result.timing.late_penalty:g})"
    return text if result.status == GRADED else f"{text} {result.status}"


def table(results: list[GradeResult]) -> str:
    """Students down, assignments across: ``points/max`` and the status when it is not ``graded``."""
    students = sorted({r.student for r in results})
    assignments = sorted({r.assignment for r in results})
    cells = {(r.student, r.assignment): _cell_text(r) for r in results}
    rows = [["student", *assignments]] + [[s, *(cells.get((s, a), "-") for a in assignments)] for s in students]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    problems = [r for r in results if r.status != GRADED or r.reason]
    if problems:
        lines.append("")
        lines.append("Not graded normally, or with a note:")
        for r in problems:
            first_line = r.reason.splitlines()[0] if r.reason else ""
            lines.append(f"  {r.student} / {r.assignment}: {r.status}: {first_line}")
    return "\n".join(lines)


def points_per_task(results: list[GradeResult]) -> dict[str, dict[str, dict[str, tuple[float, float]]]]:
    """assignment -> student -> task -> (points, max points)."""
    out: dict = defaultdict(lambda: defaultdict(dict))
    for r in results:
        tasks: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for c in r.cells:
            tasks[c.task][0] += c.score
            tasks[c.task][1] += c.max_score
        out[r.assignment][r.student] = {task: (got, full) for task, (got, full) in tasks.items()}
    return out


def plot_points_per_task(results: list[GradeResult], path: Path) -> Path:
    """One panel per assignment: bars of points per task for each student, the maximum outlined."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    data = points_per_task(results)
    assignments = sorted(data)
    fig, axes = plt.subplots(len(assignments), 1, figsize=(10, 3.4 * max(len(assignments), 1)), squeeze=False)
    for ax, assignment in zip(axes[:, 0], assignments):
        students = sorted(data[assignment])
        tasks = list(dict.fromkeys(c.task for r in results if r.assignment == assignment for c in r.cells))
        width = 0.8 / max(len(students), 1)
        x = np.arange(len(tasks))
        for i, student in enumerate(students):
            got = [data[assignment][student].get(t, (0.0, 0.0))[0] for t in tasks]
            ax.bar(x + (i - (len(students) - 1) / 2) * width, got, width=width, label=student)
        full = [max(data[assignment][s].get(t, (0.0, 0.0))[1] for s in students) for t in tasks]
        ax.bar(x, full, width=0.85, fill=False, edgecolor="black", linewidth=0.8, label="maximum")
        ax.set_xticks(x, tasks, rotation=20, ha="right")
        ax.set_ylabel("points")
        ax.set_title(assignment)
        ax.legend(fontsize="small", ncols=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --- what the class got wrong --------------------------------------------------------------
def misconception_rows(cell_rows_: list[dict[str, str]], tells: dict[tuple[str, str], str]) -> list[dict[str, str]]:
    """Per task: how many students lost its points, and how many of them made each named mistake.

    Read from ``grades_by_cell.csv`` (every student's latest grading), so the summary covers the
    whole class whichever students this run graded. ``tells`` maps (assignment, mistake) to its
    explanation.
    """
    lost: dict[tuple[str, str], set[str]] = defaultdict(set)
    named: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in cell_rows_:
        try:
            short = float(row.get("score") or 0) < float(row.get("max_score") or 0)
        except ValueError:
            continue
        if not short:
            continue
        key = (row.get("assignment", ""), row.get("task", ""))
        lost[key].add(row.get("student", ""))
        if row.get("diagnosis"):
            named[key][row["diagnosis"]].add(row.get("student", ""))
    rows = []
    for (assignment, task), students in sorted(lost.items()):
        mistakes = named.get((assignment, task), {})
        for mistake, who in sorted(mistakes.items(), key=lambda item: (-len(item[1]), item[0])):
            rows.append({"assignment": assignment, "task": task, "students_who_lost_points": str(len(students)),
                         "mistake": mistake, "students": str(len(who)), "tells": tells.get((assignment, mistake), "")})
        unnamed = students - set().union(*mistakes.values()) if mistakes else students
        rows.append({"assignment": assignment, "task": task, "students_who_lost_points": str(len(students)),
                     "mistake": NOT_NAMED, "students": str(len(unnamed)), "tells": ""})
    return rows


def write_misconceptions(directory: Path, tells: dict[tuple[str, str], str]) -> tuple[Path, Path]:
    """``misconceptions.csv`` and ``misconceptions.png`` from the class's ``grades_by_cell.csv``."""
    rows = misconception_rows(_read_rows(directory / "grades_by_cell.csv"), tells)
    path = directory / "misconceptions.csv"
    _write_rows(path, MISCONCEPTION_COLUMNS, rows)
    return path, plot_misconceptions(rows, directory / "misconceptions.png")


def plot_misconceptions(rows: list[dict[str, str]], path: Path) -> Path:
    """One panel per assignment: for each task, the students who lost its points, split by named mistake."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    assignments = sorted({row["assignment"] for row in rows}) or ["(no lost points)"]
    heights = [max(1, len({row["task"] for row in rows if row["assignment"] == a})) for a in assignments]
    fig, axes = plt.subplots(len(assignments), 1, figsize=(10, 1.2 + sum(heights) * 0.9), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, assignment in zip(axes[:, 0], assignments):
        mine = [row for row in rows if row["assignment"] == assignment]
        tasks = list(dict.fromkeys(row["task"] for row in mine))
        for y, task in enumerate(tasks):
            left = 0
            for row in (r for r in mine if r["task"] == task):
                count = int(row["students"])
                if not count:
                    continue
                unnamed = row["mistake"] == NOT_NAMED
                ax.barh(y, count, left=left, color="#d9d9d9" if unnamed else None, edgecolor="black", linewidth=0.5)
                ax.text(left + count / 2, y, f"{row['mistake']} ({count})", ha="center", va="center", fontsize=7)
                left += count
        ax.set_yticks(range(len(tasks)), tasks)
        ax.invert_yaxis()
        ax.set_xlabel("students who lost the task's points")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # students come whole
        ax.set_title(f"{assignment}: named mistakes (grey: not named)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
