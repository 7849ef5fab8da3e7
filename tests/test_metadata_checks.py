"""`dgmcourse release` refuses broken masters and catches leaks, with messages that name the cell."""
from __future__ import annotations

import copy
import subprocess
import sys

import pytest

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.leak_scan import find_leaks
from dgmcourse.instructor.metadata_checks import check_notebook

from conftest import make_cell, make_toy_course, toy_master


def _problems(tmp_path, notebook):
    path = tmp_path / "master.ipynb"
    nb.save(notebook, path)
    return [str(p) for p in check_notebook(path)]


def _cell(notebook, grade_id):
    return next(c for c in notebook["cells"] if nb.grade_id(c) == grade_id)


def test_toy_master_is_clean(tmp_path):
    assert _problems(tmp_path, toy_master()) == []


def test_duplicate_grade_id(tmp_path):
    master = toy_master()
    _cell(master, "slow__tests")["metadata"]["nbgrader"]["grade_id"] = "add__tests"
    problems = _problems(tmp_path, master)
    assert any("duplicate grade_id 'add__tests'" in p and "cell 6" in p for p in problems), problems


@pytest.mark.parametrize("points", [None, 0, -1, "2"])
def test_test_cell_without_points(tmp_path, points):
    master = toy_master()
    meta = _cell(master, "add__tests")["metadata"]["nbgrader"]
    if points is None:
        del meta["points"]
    else:
        meta["points"] = points
    problems = _problems(tmp_path, master)
    assert any("add__tests" in p and "needs positive points" in p for p in problems), problems


def test_solution_cell_without_markers(tmp_path):
    master = toy_master()
    nb.set_source(_cell(master, "add__solution"), "def add(a, b):\n    return a + b")
    problems = _problems(tmp_path, master)
    assert any("add__solution" in p and "without a '### BEGIN SOLUTION'" in p for p in problems), problems


@pytest.mark.parametrize("text, expected", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1", "never closed"),
    ("def f():\n    return 1\n    ### END SOLUTION", "no matching"),
    ("def f():\n    ## BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "looks like a marker"),
])
def test_unbalanced_or_misspelt_markers(tmp_path, text, expected):
    master = toy_master()
    nb.set_source(_cell(master, "slow__solution"), text)
    problems = _problems(tmp_path, master)
    assert any("slow__solution" in p and expected in p for p in problems), problems


def test_markers_outside_graded_cells(tmp_path):
    master = toy_master()
    master["cells"].append(make_cell("code", "x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"))
    problems = _problems(tmp_path, master)
    assert any("not marked as a solution cell" in p for p in problems), problems


def test_test_cell_ending_in_an_expression(tmp_path):
    master = toy_master()
    nb.set_source(_cell(master, "add__tests"), "assert add(1, 2) == 3\n0.5")
    problems = _problems(tmp_path, master)
    assert any("partial credit" in p for p in problems), problems


def test_release_cli_refuses_with_the_file_and_cell(tmp_path):
    course = make_toy_course(tmp_path / "course", release=False)
    path = course.source_dir / "toy" / "toy.ipynb"
    master = nb.load(path)
    _cell(master, "slow__tests")["metadata"]["nbgrader"]["grade_id"] = "add__tests"
    nb.save(master, path)
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "release"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "release refused" in done.stderr and "toy.ipynb" in done.stderr and "duplicate grade_id" in done.stderr
    assert not (course.release_dir / "toy").exists(), "nothing is released when a master is broken"


def test_leak_scan_finds_a_solution_line_and_a_hidden_test(tmp_path):
    master = toy_master()
    student = copy.deepcopy(master)
    nb.set_source(_cell(student, "add__solution"), 'def add(a, b):\n    return a + b')
    nb.set_source(_cell(student, "add__tests"),
                  'assert add(-7, 7) == _reference(-7, 7), "hidden: add(-7, 7) should be 0"')
    nb.save(master, tmp_path / "master.ipynb")
    nb.save(student, tmp_path / "student.ipynb")
    leaks = [leak.line for leak in find_leaks(tmp_path / "master.ipynb", tmp_path / "student.ipynb")]
    assert "return a + b" in leaks
    assert 'assert add(-7, 7) == _reference(-7, 7), "hidden: add(-7, 7) should be 0"' in leaks


def test_leak_scan_accepts_a_correct_release(toy_course):
    path = toy_course.released_notebooks("toy")[0]
    assert find_leaks(toy_course.source_dir / "toy" / "toy.ipynb", path) == []
    text = path.read_text()
    assert "BEGIN SOLUTION" not in text and "hidden: add(-7, 7)" not in text


def _test_cell_problems(tmp_path, source):
    master = toy_master()
    nb.set_source(_cell(master, "add__tests"), source)
    return [p for p in _problems(tmp_path, master) if "add__tests" in p]


WRAPPED = "def __test_cell__():\n{body}\n\n\ntry:\n    __test_cell__()\nfinally:\n    del __test_cell__"


@pytest.mark.parametrize("source,named", [
    ("assert add(1, 2) == 3\n_t = 0.5", "_t"),
    ("for _t in (1, 2):\n    assert add(_t, 0) == _t", "_t"),
    ("import math as _m\nassert add(1, 2) == 3", "_m"),
    ("from math import pi\nassert add(1, 2) == 3", "pi"),
    ("assert [(_y := v) for v in (1, 2)]", "_y"),
    ("with open('/dev/null') as _f:\n    pass", "_f"),
    ("try:\n    add(1, 2)\nexcept Exception as _e:\n    raise", "_e"),
    ("def _helper():\n    return 1\nassert add(1, 2) == 3", "_helper"),
    ("class _Spy:\n    pass", "_Spy"),
    ("match add(1, 2):\n    case [*_rest]:\n        pass\n    case _x:\n        pass", "_rest, _x"),
    ("del add", "add"),
    ("_n: int = 3", "_n"),
])
def test_a_test_cell_that_binds_module_level_names_is_refused(tmp_path, source, named):
    problems = _test_cell_problems(tmp_path, source)
    assert any(f"binds {named} at module level" in p and "def __test_cell__()" in p for p in problems), problems


@pytest.mark.parametrize("body,how", [
    ("    global _t\n    _t = 1", "global _t"),
    ("    globals()['_t'] = 1", "globals"),
    ("    import sys\n    sys.modules['__main__']._t = 1", ".modules"),
    ("    exec('_t = 1')", "exec"),
    ("    get_ipython().user_ns['_t'] = 1", "get_ipython"),
    ("    [_ for _ in ()]\n    vars().update(_t=1)", "vars()"),
])
def test_a_test_cell_that_reaches_the_namespace_indirectly_is_refused(tmp_path, body, how):
    problems = _test_cell_problems(tmp_path, WRAPPED.format(body=body))
    assert any(f"through {how}" in p for p in problems), problems


def test_the_test_function_must_be_deleted_even_when_a_check_fails(tmp_path):
    source = "def __test_cell__():\n    assert add(1, 2) == 3\n\n\n__test_cell__()\ndel __test_cell__"
    problems = _test_cell_problems(tmp_path, source)
    assert any("leaves __test_cell__ behind" in p for p in problems), problems


def test_a_wrapped_test_cell_with_locals_of_any_name_is_accepted(tmp_path):
    body = "    for _t in (1, 2):\n        assert add(_t, 0) == _t\n    _m = [(y := v) for v in (1, 2)]"
    assert _test_cell_problems(tmp_path, WRAPPED.format(body=body)) == []


def test_a_test_cell_whose_student_version_is_empty_is_refused(tmp_path):
    body = "    ### BEGIN HIDDEN TESTS\n    assert add(-7, 7) == 0\n    ### END HIDDEN TESTS"
    problems = _test_cell_problems(tmp_path, WRAPPED.format(body=body))
    assert any("student version of this test cell" in p and "not valid Python" in p for p in problems), problems


def test_every_master_test_cell_leaves_the_students_names_alone(repo_course):
    """The rule above holds for the real masters (release runs it too; this names the cell)."""
    from dgmcourse.instructor.metadata_checks import check_assignment

    problems = [str(p) for a in repo_course.assignments() for p in check_assignment(repo_course.source_dir / a)]
    assert problems == []
