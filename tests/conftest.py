"""Shared fixtures: the repository's course, and a tiny throwaway course for fast pipeline tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import CONFIG_FILE, Course

REPO = Path(__file__).resolve().parents[1]


def make_cell(kind: str, text: str, *, grade_id: str | None = None, role: str | None = None,
              points: float | None = None) -> dict:
    """A notebook cell; ``role`` is 'solution', 'test' or 'locked' for nbgrader cells."""
    cell = {"cell_type": kind, "id": grade_id or f"c{abs(hash(text)) % 10**8}", "metadata": {},
            "source": text.splitlines(keepends=True)}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    if role:
        meta = {"grade": role == "test", "grade_id": grade_id, "locked": role != "solution",
                "schema_version": 3, "solution": role == "solution", "task": False}
        if role == "test":
            meta["points"] = points
        cell["metadata"]["nbgrader"] = meta
    return cell


def make_notebook(cells: list[dict]) -> dict:
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                       "name": "python3"},
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


TOY_SOLUTION = '''def add(a, b):
    """Return the sum of a and b."""
    ### BEGIN SOLUTION
    return a + b
    ### END SOLUTION'''

TOY_TESTS = '''def __test_cell__():
    assert add(1, 2) == 3, "add(1, 2) should be 3"
    ### BEGIN HIDDEN TESTS
    _reference = lambda a, b: a + b
    assert add(-7, 7) == _reference(-7, 7), "hidden: add(-7, 7) should be 0"
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__'''


TOY_SETUP = """import time
import numpy as np
from dgmcourse.student.checks import check_close
EXPECTED_SLOW = np.array([1.0])"""

TOY_SLOW_TESTS = """def __test_cell__():
    assert isinstance(slow(), int), "slow() must return an int"
    ### BEGIN HIDDEN TESTS
    _slow_target = EXPECTED_SLOW[0]
    check_close(slow(), _slow_target, "slow()")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__"""


def toy_master() -> dict:
    """``add`` (2 points, a hidden test) and ``slow`` (1 point, relying on what the locked set-up bound)."""
    return make_notebook([
        make_cell("markdown", "# Toy assignment\nWrite `add` and `slow`."),
        make_cell("code", TOY_SETUP, grade_id="setup", role="locked"),
        make_cell("code", TOY_SOLUTION, grade_id="add__solution", role="solution"),
        make_cell("code", TOY_TESTS, grade_id="add__tests", role="test", points=2),
        make_cell("code", "def slow():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                  grade_id="slow__solution", role="solution"),
        make_cell("code", TOY_SLOW_TESTS, grade_id="slow__tests", role="test", points=1),
    ])


# The toy's misconception catalogue (misconceptions.py): probes for `add`, and two named mistakes.
TOY_PROBES = '''from dgmcourse.instructor.probe_outputs import calls

TASK_FUNCTIONS = {"add": "add"}
NOT_PROBED = {"slow": "a constant"}


def probe_add(ns):
    return calls(ns["add"], [(2.5, 4.0), (-1.5, 10.0), (3.0, 3.0)])
'''
TOY_VARIANTS = {
    "lose_add_subtracts.py": "# Subtracts.\n# replaces: add__solution\n# loses: add__tests\n# demo: partial-student\n"
                             "# tells: it takes the difference of the two numbers instead of their sum.\n"
                             "def add(a, b):\n    return a - b\n",
    "lose_add_multiplies.py": "# Multiplies.\n# replaces: add__solution\n# loses: add__tests\n"
                              "# tells: it multiplies the two numbers instead of adding them.\n"
                              "def add(a, b):\n    return a * b\n",
    "lose_add_constant.py": "# A constant (no tells: not a misconception).\n# replaces: add__solution\n"
                            "# loses: add__tests\ndef add(a, b):\n    return 0\n",
}


def add_toy_catalogue(root: Path) -> None:
    """Give a toy course the misconception catalogue of ``add`` (a probe file and three wrong variants)."""
    (root / "source" / "toy" / "diagnosis_probes.py").write_text(TOY_PROBES)
    folder = root / "tests" / "variants" / "toy"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TOY_VARIANTS.items():
        (folder / name).write_text(text)


def make_toy_course(root: Path, *, config_text: str | None = None, release: bool = True,
                    catalogue: bool = False) -> Course:
    """A course with one small assignment ``toy`` and this repository's nbgrader config (and, with
    ``catalogue``, the catalogue of named mistakes: ``add_toy_catalogue``)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / CONFIG_FILE).write_text(config_text or (REPO / CONFIG_FILE).read_text())
    nb.save(toy_master(), root / "source" / "toy" / "toy.ipynb")
    if catalogue:
        add_toy_catalogue(root)
    course = Course(root.resolve())
    if release:
        from dgmcourse.instructor.release import release as run_release

        run_release(course, ["toy"])
    return course


@pytest.fixture(scope="session")
def repo_course() -> Course:
    return Course(REPO)


@pytest.fixture
def toy_course(tmp_path) -> Course:
    return make_toy_course(tmp_path / "course")


def readme_block(after: str, fence: str = "```") -> str:
    """The first fenced block of README.md after the text ``after`` (``fence``: its opening line)."""
    text = (REPO / "README.md").read_text()
    return text.split(after, 1)[1].split(fence, 1)[1].split("\n", 1)[1].split("```", 1)[0]


def instructor_user_config(course_root: Path) -> str:
    """The README's ~/.jupyter/nbgrader_config.py for the instructor, naming ``course_root``."""
    block = readme_block("writes `~/.jupyter/nbgrader_config.py`", "```python")
    assert '"/home/instructor/dgmcourse"' in block
    return block.replace('"/home/instructor/dgmcourse"', repr(str(course_root)))


def copy_tree(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, dirs_exist_ok=True)
