"""The static scan: which code zeroes tests, which is only marked for review, and which is nothing.

Every case here is graded end to end in the adversarial corpus too; these show the
scan's reading of each one in isolation, with the reason a student would see.
"""
from __future__ import annotations

import pytest

from conftest import make_cell, make_notebook
from dgmcourse.instructor.tamper_scan import REVIEW, ZERO, blocked_tests, review_notes, scan


def _findings(code: str, locked: str = "from dgmcourse.student.checks import check_close") -> list:
    notebook = make_notebook([
        make_cell("code", locked, grade_id="setup", role="locked"),
        make_cell("code", code, grade_id="task__solution", role="solution"),
        make_cell("code", "check_close(task(), 1.0, 'task')", grade_id="task__tests", role="test", points=1),
        make_cell("code", "def other():\n    return 1", grade_id="other__solution", role="solution"),
        make_cell("code", "check_close(other(), 1.0, 'other')", grade_id="other__tests", role="test", points=1),
    ])
    return scan(notebook), notebook


HONEST = {
    "a dict named like the checks module": "checks = {}\nchecks['start'] = 1\ndef task():\n    return 1.0",
    "a module imported under a course-like name": "import math as checks\ndef task():\n    return checks.sqrt(1.0)",
    "a local list named testing": "testing = [0]\ntesting[0] = 1.0\ndef task():\n    return testing[0]",
    "a helper class with arithmetic dunders": (
        "class V:\n    def __init__(self, x):\n        self.x = x\n"
        "    def __sub__(self, o):\n        return V(self.x - o.x)\n"
        "    def __abs__(self):\n        return abs(self.x)\n    def __float__(self):\n        return float(self.x)\n"
        "def task():\n    return float(V(2.0) - V(1.0))"),
    "a dataclass with ordering": "from dataclasses import dataclass\n@dataclass(order=True)\nclass P:\n    x: float\n"
                                 "def task():\n    return P(1.0).x",
    "%time, logging, warnings, inspect.signature": (
        "%time _ = 1\nimport logging, warnings, inspect\nlogging.basicConfig()\nwarnings.warn('w')\n"
        "def task():\n    print(inspect.signature(task))\n    return 1.0"),
    "traceback.format_exc in an except block": "import traceback\ntry:\n    1/0\nexcept Exception:\n"
                                               "    print(traceback.format_exc())\ndef task():\n    return 1.0",
    "the course's checks used in a student cell": "check_close(1.0, 1.0, 'mine')\ndef task():\n    return 1.0",
}


@pytest.mark.parametrize("code", HONEST.values(), ids=HONEST.keys())
def test_honest_habits_are_not_findings(code):
    findings, _ = _findings(code)
    assert findings == []


ZEROED = {
    "replacing check_close in the module": ("from dgmcourse.student import checks as c\nc.check_close = print\n"
                                            "def task():\n    return 0.0", "dgmcourse.student.checks.check_close"),
    "replacing a builtin": ("import builtins\nbuiltins.abs = lambda x: 0\ndef task():\n    return 0.0", "builtins.abs"),
    "setattr on numpy.testing": ("from numpy import testing as t\nsetattr(t, 'assert_allclose', print)\n"
                                 "def task():\n    return 0.0", "numpy.testing"),
    "walking to the caller's frame": ("import inspect\ndef task():\n    f = inspect.currentframe().f_back\n"
                                      "    return 0.0", "frames"),
    "the traceback's frame": ("def task():\n    try:\n        raise ValueError\n    except ValueError as e:\n"
                              "        return e.__traceback__.tb_frame\n", "tb_frame"),
    "reading linecache": ("import linecache as lc\ndef task():\n    lc.getlines('x')\n    return 0.0", "linecache"),
    "reading IPython's input history": ("def task():\n    print(_ih)\n    return 0.0", "history"),
    "registering an event callback": ("get_ipython().events.register('post_run_cell', print)\n"
                                      "def task():\n    return 0.0", "events"),
    "replacing showtraceback": ("get_ipython().showtraceback = print\ndef task():\n    return 0.0", "showtraceback"),
    "calling sys.displayhook": ("import sys\ndef task():\n    sys.displayhook(1.0)\n    return 0.0", "displayhook"),
    "the globals of a function a test passes in": ("def task(loss=None):\n    g = loss.__globals__\n    return 0.0",
                                                   "__globals__"),
    "the same through getattr with a literal name": ("def task(loss=None):\n    g = getattr(loss, '__globals__')\n"
                                                     "    return 0.0", "__globals__"),
    "a frame through logging": ("import logging\ndef task():\n    logging.currentframe()\n    return 0.0",
                                "currentframe"),
}


@pytest.mark.parametrize("code,says", ZEROED.values(), ids=ZEROED.keys())
def test_tampering_zeroes_later_tests(code, says):
    findings, notebook = _findings(code)
    assert findings and all(f.severity == ZERO for f in findings), findings
    blocked = blocked_tests(notebook, findings)
    assert set(blocked) == {"task__tests", "other__tests"}
    assert says in blocked["task__tests"], blocked["task__tests"]


def test_a_faking_class_in_a_cell_of_no_task_zeroes_every_later_test():
    notebook = make_notebook([
        make_cell("code", "class Any:\n    def __eq__(self, other):\n        return True"),
        make_cell("code", "def task():\n    return Any()", grade_id="task__solution", role="solution"),
        make_cell("code", "assert task() == 1", grade_id="task__tests", role="test", points=1),
        make_cell("code", "assert task() == 2", grade_id="other__tests", role="test", points=1),
    ])
    assert set(blocked_tests(notebook, scan(notebook))) == {"task__tests", "other__tests"}


def test_a_faking_comparison_zeroes_only_its_task():
    findings, notebook = _findings("class Any:\n    def __eq__(self, other):\n        return True\n"
                                   "def task():\n    return Any()")
    assert set(blocked_tests(notebook, findings)) == {"task__tests"}
    assert "__eq__" in blocked_tests(notebook, findings)["task__tests"]


UNSURE = {
    "a name bound to the checks module and to a dict": (
        "from dgmcourse.student import checks\nchecks = {}\nchecks['k'] = 1\ndef task():\n    return 1.0",
        "may be the module"),
    "code run from a string built at run time": ("exec('x' + ' = 1')\ndef task():\n    return 1.0",
                                                 "built at run time"),
}


@pytest.mark.parametrize("code,says", UNSURE.values(), ids=UNSURE.keys())
def test_unsure_findings_keep_the_points_and_ask_for_review(code, says):
    findings, notebook = _findings(code)
    assert findings and all(f.severity == REVIEW for f in findings), findings
    assert blocked_tests(notebook, findings) == {}
    assert any(says in note for note in review_notes(findings))


def test_code_nested_too_deep_to_parse_never_stops_the_scan_or_the_next_parse():
    from dgmcourse.instructor.cell_names import parse_cell

    for deep in ("x" + "[0]" * 100_000, "-" * 100_000 + "1", "(" * 500 + "1" + ")" * 500):
        assert parse_cell(deep) is None
        assert parse_cell("def add(a, b):\n    return a + b") is not None
