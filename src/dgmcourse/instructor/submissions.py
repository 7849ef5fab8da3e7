"""Building submissions from the master: the full solution, the blank version, variants.

A submission starts from the student version (what students receive) and puts code
into its solution cells, as a student would; the master supplies the reference code.
"""
from __future__ import annotations

import copy
from pathlib import Path

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import Course


def solution_sources(master: dict) -> dict[str, str]:
    """grade id -> the reference code of each solution cell, markers removed."""
    return {nb.grade_id(cell): nb.without_markers(nb.source(cell))
            for cell in master.get("cells", []) if nb.is_solution(cell)}


def fill(released: dict, sources: dict[str, str]) -> dict:
    """A copy of a student notebook whose solution cells hold the given code (by grade id)."""
    filled = copy.deepcopy(released)
    for cell in filled.get("cells", []):
        gid = nb.grade_id(cell)
        if nb.is_solution(cell) and gid in sources:
            nb.set_source(cell, sources[gid])
    return filled


def assignment_notebooks(course: Course, assignment: str) -> list[tuple[str, dict, dict]]:
    """(file name, master, released) for each notebook of an assignment, paired by file name."""
    released = {p.name: p for p in course.released_notebooks(assignment)}
    pairs = []
    for master_path in course.master_notebooks(assignment):
        if master_path.name not in released:
            raise FileNotFoundError(f"{master_path.name} of {assignment} has no student version in "
                                    f"{course.release_dir / assignment}; run `dgmcourse release` first")
        pairs.append((master_path.name, nb.load(master_path), nb.load(released[master_path.name])))
    return pairs


def build(course: Course, assignment: str, replacements: dict[str, str] | None = None,
          *, blank: bool = False) -> dict[str, dict]:
    """File name -> notebook: the reference solution with ``replacements`` applied, or the blank version."""
    notebooks = {}
    for name, master, released in assignment_notebooks(course, assignment):
        if blank:
            notebooks[name] = copy.deepcopy(released)
        else:
            sources = solution_sources(master)
            sources.update({gid: code for gid, code in (replacements or {}).items() if gid in sources})
            notebooks[name] = fill(released, sources)
    return notebooks


def write(submitted_dir: Path, student: str, assignment: str, notebooks: dict[str, dict]) -> Path:
    folder = submitted_dir / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, notebook in notebooks.items():
        nb.save(nb.clear_outputs(notebook), folder / name)
    return folder
