"""``dgmcourse release``: check the masters, run ``nbgrader generate_assignment``, scan for leaks.

Nothing is written to ``release/`` when a master's metadata is broken, and a release
that would leak a solution or hidden-test line is reported as failed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import Course, CourseError
from dgmcourse.instructor.leak_scan import Leak, find_leaks
from dgmcourse.instructor.metadata_checks import Problem, check_assignment


class ReleaseError(CourseError):
    """The release was refused; the message lists every problem found."""


@dataclass
class ReleaseResult:
    assignments: list[str]
    notebooks: list[Path] = field(default_factory=list)


def _format_problems(title: str, items: list[Problem] | list[Leak]) -> str:
    return title + "\n" + "\n".join(f"  - {item}" for item in items)


def check_masters(course: Course, assignments: list[str]) -> None:
    problems: list[Problem] = []
    for assignment in assignments:
        problems.extend(check_assignment(course.source_dir / assignment))
    if problems:
        raise ReleaseError(_format_problems(
            f"release refused: {len(problems)} problem(s) in the master notebooks' nbgrader metadata", problems))
    from dgmcourse.instructor.text_form import out_of_sync, text_path

    paired = [m for a in assignments for m in course.master_notebooks(a) if text_path(m).is_file()]
    disagreeing = out_of_sync(paired)
    if disagreeing:
        raise ReleaseError(_format_problems(
            "release refused: a master and its text form disagree; run `dgmcourse sync` (notebooks from the "
            "text forms) or `dgmcourse sync --from-notebooks` (after editing in Jupyter)", disagreeing))


def generate(course: Course, assignment: str) -> list[Path]:
    """Run nbgrader for one assignment and rewrite its output in the course's stable JSON layout."""
    result = course.nbgrader("generate_assignment", assignment, "--force")
    if result.returncode != 0:
        raise ReleaseError(f"nbgrader generate_assignment {assignment} failed:\n{result.stdout}{result.stderr}")
    released = course.released_notebooks(assignment)
    for path in released:
        nb.save(nb.clear_outputs(nb.load(path)), path)
    others = sorted(p for p in (course.release_dir / assignment).rglob("*") if p.is_file() and p not in released)
    if others:
        names = ", ".join(str(p.relative_to(course.release_dir)) for p in others)
        for path in others:
            path.unlink()
        raise ReleaseError(f"release refused: source/{assignment}/ holds files that nbgrader would hand to students "
                           f"({names}). A backup of a master or of its text form carries the solutions and hidden "
                           "tests: remove them from source/ (or, for a data file students need, name it in the "
                           "README's layout and in this check).")
    return released


def release(course: Course, assignments: list[str] | None = None) -> ReleaseResult:
    """Release the given assignments (default: all) into ``release/``."""
    assignments = assignments or course.assignments()
    for assignment in assignments:
        course.check_assignment(assignment)
    check_masters(course, assignments)
    result = ReleaseResult(assignments)
    leaks: list[Leak] = []
    for assignment in assignments:
        released = generate(course, assignment)
        masters = {p.name: p for p in course.master_notebooks(assignment)}
        for path in released:
            if path.name in masters:
                leaks.extend(find_leaks(masters[path.name], path))
        result.notebooks.extend(released)
    if leaks:
        raise ReleaseError(_format_problems(
            f"release failed: {len(leaks)} secret line(s) would reach students; release/ must not be "
            "committed in this state", leaks))
    return result
