"""Checks on a master notebook's nbgrader metadata, run before every release.

nbgrader accepts several broken masters silently or fails late with a misleading
message (a duplicated grade id aborts a whole grading batch). Each rule here names
the file, the cell and what to change.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.cell_names import TEST_CELL_FUNCTION, namespace_changes

GRADE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Problem:
    path: Path
    cell: str  # "cell 7 (grade id 'x')" or "notebook"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.cell}: {self.message}"


def _cell_label(index: int, cell: dict) -> str:
    gid = nb.grade_id(cell)
    return f"cell {index + 1}" + (f" (grade id {gid!r})" if gid else "")


def _ends_with_expression(code: str) -> bool:
    tree = ast.parse(code)
    return bool(tree.body) and isinstance(tree.body[-1], ast.Expr) and not isinstance(tree.body[-1].value, ast.Call)


TEST_CELL_SHAPE = (f"put the checks inside `def {TEST_CELL_FUNCTION}():` and end the cell with "
                   f"`try: {TEST_CELL_FUNCTION}()` / `finally: del {TEST_CELL_FUNCTION}`")


def _deletes_test_function_finally(code: str) -> bool:
    tree = ast.parse(code)
    for node in tree.body:
        if isinstance(node, ast.Try) and any(
                isinstance(stmt, ast.Delete) and [getattr(t, "id", None) for t in stmt.targets] == [TEST_CELL_FUNCTION]
                for stmt in node.finalbody):
            return True
    return False


def namespace_problems(code: str) -> list[str]:
    """Why a test cell could change the student's names; [] when it leaves them as it found them.

    A test cell runs in the student's kernel (visible checks as the student works, and the
    whole cell when nbgrader validates). It may bind one name, the language-reserved
    ``__test_cell__``, as the function that holds its checks, and must delete it whatever
    happens. Any other module-level binding could replace a name the student chose (``import
    torch as _t``, then a test's ``for _t in ...``), and reaching the namespace indirectly
    (``globals()``, ``global``, ``sys.modules``) could do the same unseen.
    """
    found = namespace_changes(code)
    if found is None:
        return []  # reported as not valid Python
    bound, indirect = found
    problems = []
    others = sorted({name for name, _ in bound if name != TEST_CELL_FUNCTION})
    if others:
        problems.append(f"binds {', '.join(others)} at module level, which may be names the student uses; "
                        + TEST_CELL_SHAPE)
    elif bound and not _deletes_test_function_finally(code):
        problems.append(f"leaves {TEST_CELL_FUNCTION} behind when a check fails; " + TEST_CELL_SHAPE)
    for what, line in sorted(set(indirect), key=lambda item: item[1]):
        problems.append(f"reaches the notebook's namespace through {what} (line {line}); tests may only read "
                        "names, never write them")
    return problems


def _student_version(text: str) -> str:
    """The cell as nbgrader releases it: hidden-test regions, markers included, removed."""
    lines = text.splitlines()
    hidden = {i for region in nb.regions(text, "hidden")[0] for i in range(region.begin, region.end + 1)}
    return "\n".join(line for i, line in enumerate(lines) if i not in hidden)


def check_notebook(path: Path) -> list[Problem]:
    """Every problem found in one master notebook (an empty list means it is fit to release)."""
    try:
        notebook = nb.load(path)
    except (OSError, ValueError) as error:
        return [Problem(path, "notebook", f"cannot be read as JSON: {error}")]
    if notebook.get("nbformat") != 4:
        return [Problem(path, "notebook", f"nbformat {notebook.get('nbformat')!r}; masters must be nbformat 4")]

    problems: list[Problem] = []

    def add(index: int, cell: dict, message: str) -> None:
        problems.append(Problem(path, _cell_label(index, cell), message))

    if nb.has_outputs(notebook):
        problems.append(Problem(path, "notebook", "has outputs; clear them before committing "
                                                  "(Kernel > Restart & Clear Output)"))
    seen_ids: dict[str, int] = {}
    previous_graded_role: str | None = None
    test_cells = 0
    for index, cell in enumerate(notebook.get("cells", [])):
        text = nb.source(cell)
        meta = nb.nbgrader_meta(cell)
        solution_regions, solution_pairing = nb.regions(text, "solution")
        hidden_regions, hidden_pairing = nb.regions(text, "hidden")
        for message in solution_pairing + hidden_pairing:
            add(index, cell, message)

        if not meta:
            if solution_regions:
                add(index, cell, "has solution markers but is not marked as a solution cell; set "
                                 "'Autograded answer' or 'Manually graded answer' in the nbgrader toolbar")
            if hidden_regions:
                add(index, cell, "has hidden-test markers but is not an autograded test cell")
            continue

        gid = meta.get("grade_id")
        if not gid:
            add(index, cell, "nbgrader cell without a grade_id")
        elif not GRADE_ID_PATTERN.match(gid):
            add(index, cell, f"grade_id {gid!r} may only use letters, digits, '_' and '-'")
        elif gid in seen_ids:
            add(index, cell, f"duplicate grade_id {gid!r} (also cell {seen_ids[gid] + 1}); "
                             "every nbgrader cell needs its own id")
        else:
            seen_ids[gid] = index

        if meta.get("grade"):
            value = meta.get("points")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                add(index, cell, f"a graded cell needs positive points, found {value!r}")
        if meta.get("solution"):
            if cell.get("cell_type") == "code" and not solution_regions:
                add(index, cell, f"solution cell without a '{nb.BEGIN_SOLUTION}' / '{nb.END_SOLUTION}' region; "
                                 "nbgrader would blank the whole cell, scaffold included")
            if hidden_regions:
                add(index, cell, "hidden tests inside a solution cell; put them in the test cell that follows")
            previous_graded_role = "solution"
        elif nb.is_test(cell):
            test_cells += 1
            if solution_regions:
                add(index, cell, "solution markers inside a test cell; they belong in a solution cell")
            try:
                if _ends_with_expression(text):
                    add(index, cell, "test cell ends with a bare expression; nbgrader would read a number "
                                     "there as partial credit. End with a statement")
            except SyntaxError as error:
                add(index, cell, f"test cell is not valid Python: {error.msg} (line {error.lineno})")
            else:
                for message in namespace_problems(text):
                    add(index, cell, f"test cell {message}")
                try:
                    ast.parse(_student_version(text))
                except SyntaxError as error:
                    add(index, cell, f"the student version of this test cell (hidden tests removed) is not valid "
                                     f"Python: {error.msg} (line {error.lineno}); keep at least one visible "
                                     "statement, e.g. a docstring, outside the hidden region")
            if previous_graded_role is None:
                add(index, cell, "test cell with no solution or test cell before it; nbgrader cannot "
                                 "restore it if a student deletes it (add_missing_cells)")
            previous_graded_role = "test"
        elif meta.get("grade") and cell.get("cell_type") == "markdown":
            add(index, cell, "manually graded markdown cell; this course is graded automatically only")
        else:
            if solution_regions or hidden_regions:
                add(index, cell, "markers in a read-only cell; mark it as a solution or test cell")

    if test_cells == 0:
        problems.append(Problem(path, "notebook", "has no autograded test cells"))
    return problems


def check_assignment(source_dir: Path) -> list[Problem]:
    """Problems across every master notebook of one assignment."""
    paths = nb.notebooks_in(source_dir)
    if not paths:
        return [Problem(source_dir, "assignment", "contains no .ipynb master notebook")]
    problems = []
    for path in paths:
        problems.extend(check_notebook(path))
    return problems
