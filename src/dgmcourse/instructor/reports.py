"""Grades out of a batch: CSV files, a students x assignments table, a points-per-task plot."""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from dgmcourse.instructor.grading import GRADED, GradeResult


def write_csv(results: list[GradeResult], directory: Path) -> tuple[Path, Path]:
    """``grades.csv`` (one row per submission) and ``grades_by_cell.csv`` (one row per test cell)."""
    directory.mkdir(parents=True, exist_ok=True)
    summary, by_cell = directory / "grades.csv", directory / "grades_by_cell.csv"
    with open(summary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "status", "score", "max_score", "seconds", "reason"])
        for r in results:
            writer.writerow([r.student, r.assignment, r.status, f"{r.score:g}", f"{r.max_score:g}",
                             f"{r.seconds:.1f}", r.reason])
    with open(by_cell, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "notebook", "task", "grade_id", "score", "max_score"])
        for r in results:
            for c in r.cells:
                writer.writerow([r.student, r.assignment, c.notebook, c.task, c.grade_id, f"{c.score:g}",
                                 f"{c.max_score:g}"])
    return summary, by_cell


def _cell_text(result: GradeResult) -> str:
    text = f"{result.score:g}/{result.max_score:g}"
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
