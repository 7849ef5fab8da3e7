"""``dgmcourse demo``: the whole loop on reference students, in a throwaway copy of the course.

The demo never touches the real course: its ``submitted/``, gradebook, ``release/`` and
reports stay byte for byte as they were, so no fake student ever reaches the formgrader,
``nbgrader release_feedback`` or ``nbgrader export``. In a copy (a temporary folder, or
``--keep DIR``) it releases every assignment, writes three students into ``submitted/``
for each one (``demo-solution``: the master's code; ``demo-blank``: the untouched student
version; ``demo-partial``: the solution with the variants marked ``demo: partial-student``),
grades them with the copy's own sqlite gradebook, prints the table, writes the CSVs and
``reports/points_per_task.png``, and checks that the grades come out as they must.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dgmcourse.instructor import grading, reports, submissions, variants
from dgmcourse.instructor.course import Course, CourseError, copy_course
from dgmcourse.instructor.release import release

SOLUTION, BLANK, PARTIAL = "demo-solution", "demo-blank", "demo-partial"


def variants_dir(course: Course, assignment: str) -> Path:
    return course.root / "tests" / "variants" / assignment


def partial_replacements(folder: Path) -> dict[str, str]:
    chosen = [v for v in variants.load(folder)] if folder.is_dir() else []
    return {gid: code for v in chosen if "partial-student" in v.demo_roles for gid, code in v.cells.items()}


def write_reference_students(course: Course, submitted_dir: Path, assignment: str,
                             variants_folder: Path) -> list[str]:
    students = {SOLUTION: submissions.build(course, assignment),
                BLANK: submissions.build(course, assignment, blank=True)}
    replacements = partial_replacements(variants_folder)
    if replacements:
        students[PARTIAL] = submissions.build(course, assignment, replacements)
    for student, notebooks in students.items():
        folder = submitted_dir / student / assignment
        if folder.exists():
            shutil.rmtree(folder)
        submissions.write(submitted_dir, student, assignment, notebooks)
    return list(students)


@dataclass
class DemoOutcome:
    results: list[grading.GradeResult]
    problems: list[str]
    plot: Path
    csv: Path
    kept: Path | None = None  # the graded copy, when the instructor asked to keep it
    misconceptions: Path | None = None  # reports/misconceptions.csv of the copy


def expected_mistakes(course: Course, assignment: str, folder: Path) -> dict[str, str]:
    """task -> the mistake the partial student must be told: its catalogued variants in probed tasks."""
    from dgmcourse.instructor import misconceptions
    from dgmcourse.instructor.probe_outputs import load_probes

    probes = misconceptions.probes_path(course.root, assignment)
    if not probes.is_file() or not folder.is_dir():
        return {}
    probed = set(misconceptions.probed_tasks(load_probes(probes.read_text(encoding="utf-8"))))
    return {grading.nb.task_of(v.replaces): v.name.removeprefix("lose_") for v in variants.load(folder)
            if "partial-student" in v.demo_roles and misconceptions.teachable(v)
            and grading.nb.task_of(v.replaces) in probed}


def expectation_problems(results: list[grading.GradeResult],
                         mistakes: dict[str, dict[str, str]] | None = None) -> list[str]:
    """What is not as the demo promises; ``mistakes``: assignment -> task -> the mistake the partial student
    must be told in the feedback."""
    problems = []
    for r in results:
        if r.student == PARTIAL:
            for task, mistake in (mistakes or {}).get(r.assignment, {}).items():
                told = r.diagnoses.get(task, {}).get("mistake")
                if told != mistake:
                    problems.append(f"{r.student}/{r.assignment}: task {task}: the feedback should name the mistake "
                                    f"{mistake!r}, and names {told or 'none'}")
        if r.status != grading.GRADED:
            problems.append(f"{r.student}/{r.assignment}: {r.status}: {r.reason}")
        elif r.student == SOLUTION and r.score != r.max_score:
            problems.append(f"{r.student}/{r.assignment}: the solution scored {r.score:g}/{r.max_score:g}")
        elif r.student == BLANK and r.score != 0:
            problems.append(f"{r.student}/{r.assignment}: the blank version scored {r.score:g}")
        elif r.student == PARTIAL and not 0 < r.score < r.max_score:
            problems.append(f"{r.student}/{r.assignment}: the partial student scored {r.score:g}/{r.max_score:g}")
    return problems


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (which may not exist yet) lies in ``folder``, by what the filesystem says.

    Names can lie (a symbolic link, ``..``, a bind mount of the course elsewhere), so each
    existing folder on the way up is compared with the course by device and inode.
    """
    target = folder.stat()
    for candidate in (path, *path.parents):
        try:
            if os.path.samestat(candidate.stat(), target):
                return True
        except OSError:
            continue  # not there yet
    return False


def _empty_folder(keep: Path, course: Course) -> Path:
    keep = Path(os.path.normpath(keep.absolute()))  # "new/../x" is "x" once mkdir -p has made "new"
    if _inside(keep, course.root):
        raise CourseError(f"--keep {keep} is inside the course directory; the demo never writes there. "
                          "Choose a folder outside it, e.g. /tmp/dgmcourse-demo")
    if keep.exists() and not keep.is_dir():
        raise CourseError(f"--keep {keep} is a file; name a new or empty folder for the demo's course copy")
    if keep.exists() and any(keep.iterdir()):
        raise CourseError(f"--keep {keep} is not empty; name a new or empty folder for the demo's course copy")
    keep.mkdir(parents=True, exist_ok=True)
    return keep


def run(course: Course, *, seed: int = 0, assignments: list[str] | None = None, keep: Path | None = None,
        echo=print) -> DemoOutcome:
    """Grade the reference students in a copy of ``course``; the copy is kept in ``keep`` if given."""
    for assignment in assignments or []:
        course.check_assignment(assignment)
    if keep is not None:
        return _run_in_copy(course, _empty_folder(keep, course), seed, assignments, echo, kept=True)
    with tempfile.TemporaryDirectory(prefix="dgmcourse-demo-") as tmp:
        return _run_in_copy(course, Path(tmp), seed, assignments, echo, kept=False)


def _run_in_copy(original: Course, folder: Path, seed: int, assignments: list[str] | None, echo,
                 kept: bool) -> DemoOutcome:
    course = copy_course(original, folder, with_release=False)
    echo(f"Working in a copy of the course: {course.root}" + ("" if kept else " (removed afterwards; "
                                                                             "keep it with --keep DIR)"))
    assignments = assignments or course.assignments()
    echo(f"Releasing {', '.join(assignments)} ...")
    release(course, assignments)
    submitted_dir = course.root / "submitted"
    for assignment in assignments:
        write_reference_students(course, submitted_dir, assignment, variants_dir(original, assignment))
    echo(f"Grading reference students with seed {seed} (each runs its notebook through nbgrader autograde) ...")
    options = grading.GradingOptions(seed=seed)
    grading.sandbox_if_possible(options, echo)
    results = grading.grade_all(
        course, submitted_dir, students=[SOLUTION, BLANK, PARTIAL], assignments=assignments, options=options, jobs=2,
        progress=lambda r: echo(f"  {r.student:14s} {r.assignment}: {r.status}, {r.score:g}/{r.max_score:g} "
                                f"points in {r.seconds:.0f} s"))
    summary, _ = reports.write_csv(results, course.reports_dir)
    plot = reports.plot_points_per_task(results, course.reports_dir / "points_per_task.png")
    from dgmcourse.instructor.misconceptions import tells_by_mistake

    named, chart = reports.write_misconceptions(course.reports_dir, tells_by_mistake(course.root, assignments))
    echo("")
    echo(reports.table(results))
    echo("")
    for r in results:
        for task, diagnosis in r.diagnoses.items():
            echo(f"{r.student} / {r.assignment}, task {task}: named mistake {diagnosis['mistake']}: "
                 f"{diagnosis['tells']}")
    if kept:
        echo(f"Grades: {summary}\nPoints per task: {plot}\nMistakes named, per task: {named} and {chart}\n"
             f"Feedback: {course.feedback_dir}")
    mistakes = {a: expected_mistakes(course, a, variants_dir(original, a)) for a in assignments}
    return DemoOutcome(results, expectation_problems(results, mistakes), plot, summary,
                       course.root if kept else None, named)
