"""Run named cells of a master notebook in a namespace, so the benchmark times the course's own code.

The benchmark must measure what students run, not a copy that drifts from it; so the
models, losses and training steps come from the master notebook, cell by cell, by grade id.
"""
from __future__ import annotations

import contextlib
import io

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import Course


def cells_by_grade_id(course: Course, assignment: str) -> dict[str, str]:
    return {nb.grade_id(cell): nb.source(cell)
            for path in course.master_notebooks(assignment)
            for cell in nb.load(path)["cells"] if cell["cell_type"] == "code" and nb.grade_id(cell)}


def run_cells(course: Course, assignment: str, grade_ids: list[str], namespace: dict | None = None) -> dict:
    """Execute the cells with these grade ids, in this order, quietly; return the namespace."""
    import torch

    cells = cells_by_grade_id(course, assignment)
    missing = [gid for gid in grade_ids if gid not in cells]
    if missing:
        raise KeyError(f"{assignment}'s master notebook has no cell(s) {', '.join(missing)}; "
                       "the benchmark reads the course's code from them")
    namespace = {} if namespace is None else namespace
    threads = torch.get_num_threads()  # a setup cell may choose the grader's thread count; keep ours
    for gid in grade_ids:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(cells[gid], f"<{assignment}:{gid}>", "exec"), namespace)
    torch.set_num_threads(threads)
    return namespace
