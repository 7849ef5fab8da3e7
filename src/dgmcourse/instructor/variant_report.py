"""What the variant library covers, and how the grader did on it, per assignment and per kind.

``dgmcourse variants`` prints it; ``--grade`` grades every variant through the real grader
first (``variant_grading``), so that an outside run of other right and wrong answers can be
compared with ours kind by kind.
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor import variants as variant_files

# Kinds that every assignment must have at least one variant of, where the assignment has the thing probed.
KINDS_FOR_EVERY_ASSIGNMENT = ("namespace",)


@dataclass(frozen=True)
class Row:
    assignment: str
    variant: str
    kind: str
    must_lose: bool
    tasks: tuple[str, ...]
    outcome: str = "not graded"
    caught_by_visible_checks: bool = False  # "as declared", "NOT as declared: ...", or "not graded"


def rows_for(assignment: str, found: list[variant_files.Variant]) -> list[Row]:
    return [Row(assignment, v.name, v.kind, v.must_lose, tuple(sorted({nb.task_of(g) for g in v.cells})),
                caught_by_visible_checks=v.caught_by_visible_checks) for v in found]


def with_outcomes(rows: list[Row], run) -> list[Row]:
    """Rows with the outcome of a graded ``variant_grading.AssignmentRun``."""
    from dgmcourse.instructor.variant_grading import describe_visible_misses, visible_check_misses

    by_variant = {}
    for student in run.students.values():
        missed = visible_check_misses(run, student.name)
        for variant in student.batch:
            result = run.results[student.name]
            got = {cell.grade_id: cell.score for cell in result.cells}
            wrong = sorted(gid for gid, want in (student.expected or {}).items() if abs(got.get(gid, -1) - want) > 1e-9)
            if result.status != "graded":
                by_variant[variant.name] = f"NOT as declared: status {result.status}"
            elif wrong:
                by_variant[variant.name] = "NOT as declared: " + ", ".join(f"{g} scored {got.get(g)}" for g in wrong)
            elif variant.name in missed:
                by_variant[variant.name] = "NOT as declared: " + describe_visible_misses(
                    {variant.name: missed[variant.name]})
            else:
                by_variant[variant.name] = "as declared"
    return [Row(r.assignment, r.variant, r.kind, r.must_lose, r.tasks, by_variant.get(r.variant, r.outcome),
                r.caught_by_visible_checks) for r in rows]


def coverage_problems(assignment: str, rows: list[Row], tasks: set[str]) -> list[str]:
    """Tasks with fewer than two wrong or no correct variant, tasks whose pitfall no visible check
    catches, and kinds every assignment must have."""
    problems = []
    for task in sorted(tasks):
        wrong = sum(1 for r in rows if r.must_lose and task in r.tasks)
        right = sum(1 for r in rows if not r.must_lose and task in r.tasks)
        if wrong < 2 or right < 1:
            problems.append(f"{assignment}: task {task!r} has {wrong} wrong and {right} correct variant(s); "
                            "at least 2 and 1 are required")
        if not any(r.must_lose and r.kind == "pitfall" and r.caught_by_visible_checks and task in r.tasks
                   for r in rows):
            problems.append(f"{assignment}: task {task!r} has no pitfall variant that its visible checks catch "
                            "(a lose_ variant with '# kind: pitfall' and '# caught: visible'): the student would "
                            "learn of the mistake the prose warns about only from the grade")
    for kind in KINDS_FOR_EVERY_ASSIGNMENT:
        if not any(r.kind == kind for r in rows):
            problems.append(f"{assignment}: no variant of kind {kind!r}")
    return problems


def table(rows: list[Row]) -> str:
    """Per assignment and kind: wrong variants (and how many lost as declared), correct ones (and how many kept)."""
    lines = [f"{'assignment':<28}{'kind':<22}{'wrong':>7}{'lost':>7}{'correct':>9}{'kept':>7}"]
    groups = Counter()
    done = Counter()
    for r in rows:
        key = (r.assignment, r.kind, r.must_lose)
        groups[key] += 1
        done[key] += r.outcome == "as declared"
    graded = any(r.outcome != "not graded" for r in rows)
    for assignment in sorted({r.assignment for r in rows}):
        kinds = [k for k in variant_files.KINDS if any(r.assignment == assignment and r.kind == k for r in rows)]
        for kind in kinds + ["all"]:
            def count(lose, table=groups):
                return sum(v for (a, k, m), v in table.items() if a == assignment and m == lose and kind in (k, "all"))
            lost = f"{count(True, done)}" if graded else "-"
            kept = f"{count(False, done)}" if graded else "-"
            lines.append(f"{assignment if kind == kinds[0] else '':<28}{kind:<22}{count(True):>7}{lost:>7}"
                         f"{count(False):>9}{kept:>7}")
    failures = [r for r in rows if r.outcome.startswith("NOT")]
    if failures:
        lines.append("")
        lines += [f"{r.assignment}/{r.variant}: {r.outcome}" for r in failures]
    return "\n".join(lines)


def write_csv(rows: list[Row], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["assignment", "variant", "kind", "must_lose", "tasks", "outcome"])
        for r in rows:
            writer.writerow([r.assignment, r.variant, r.kind, int(r.must_lose), " ".join(r.tasks), r.outcome])
    return path
