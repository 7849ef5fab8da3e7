"""The adversarial corpus: one submission per attack or bad input, with the outcome it must get.

All submissions are of the toy assignment (``conftest.toy_master``): ``add`` (2 points,
with a hidden test) then ``slow`` (1 point). Attacks sit in ``slow`` where possible, so
the points ``add`` earned before the attack show that earlier cells keep their points.
Several attacks are written to slip past the static scan (``getattr`` with pieced-together
names), so that the sandbox and the run-time canaries are what stops them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor import submissions
from dgmcourse.instructor.course import Course

GOOD_ADD = "def add(a, b):\n    return a + b"
GOOD_SLOW = "def slow():\n    return 1"


@dataclass
class Case:
    name: str
    what: str
    status: str
    score: float
    build: Callable[[Course, dict], dict[str, bytes]]


def _solution(course: Course, add: str = GOOD_ADD, slow: str = GOOD_SLOW) -> dict:
    return submissions.build(course, "toy", {"add__solution": add, "slow__solution": slow})["toy.ipynb"]


def _as_files(notebook: dict) -> dict[str, bytes]:
    return {"toy.ipynb": json.dumps(notebook).encode()}


def code(add: str = GOOD_ADD, slow: str = GOOD_SLOW) -> Callable[[Course, dict], dict[str, bytes]]:
    return lambda course, ctx: _as_files(_solution(course, add.format(**ctx), slow.format(**ctx)))


def raw(data: bytes) -> Callable[[Course, dict], dict[str, bytes]]:
    return lambda course, ctx: {"toy.ipynb": data}


def _edited(change: Callable[[dict], None]) -> Callable[[Course, dict], dict[str, bytes]]:
    def build(course, ctx):
        notebook = _solution(course)
        change(notebook)
        return _as_files(notebook)
    return build


def _delete_add(notebook: dict) -> None:
    notebook["cells"] = [c for c in notebook["cells"] if nb.grade_id(c) not in ("add__solution", "add__tests")]


def _edit_test(notebook: dict) -> None:
    for cell in notebook["cells"]:
        if nb.grade_id(cell) == "add__tests":
            nb.set_source(cell, "pass  # the student emptied the test")
        if nb.grade_id(cell) == "add__solution":
            nb.set_source(cell, "def add(a, b):\n    return a - b")


def _duplicate_ids(notebook: dict) -> None:
    import copy
    cells = notebook["cells"]
    test = next(c for c in cells if nb.grade_id(c) == "add__tests")
    solution = next(c for c in cells if nb.grade_id(c) == "slow__solution")
    cells.append(copy.deepcopy(test))
    cells.insert(1, copy.deepcopy(solution))
    for i, cell in enumerate(cells):
        cell["id"] = f"dup-{i}"


def _other_assignment(course, ctx) -> dict[str, bytes]:
    return {"toy.ipynb": ctx["other_notebook"].read_bytes()}


READ_SECRETS = '''import os
def slow():
    leaked = []
    for path in ["{root}/source/toy/toy.ipynb", "{root}/gradebook.db", "{root}/nbgrader_config.py",
                 "{root}/incoming/a-good-first/toy/toy.ipynb", "../../source/toy/toy.ipynb"]:
        try:
            with open(path, "rb") as handle:
                leaked.append(handle.read(10))
        except OSError:
            pass
    if not leaked:
        raise RuntimeError("nothing of the course could be read")
    return 1'''

WRITE_COURSE = '''def slow():
    for path in ["{root}/nbgrader_config.py", "{root}/gradebook.db", "/tmp/dgmcourse-escape-marker",
                 "{root}/autograded/a-good-first/toy/toy.ipynb"]:
        try:
            with open(path, "a") as handle:
                handle.write("\\nprint('owned')\\n")
        except OSError:
            continue
    return 1'''

NETWORK = '''import socket
def slow():
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    except OSError:
        raise RuntimeError("no network in the sandbox")
    return 1'''

CASES = [
    Case("malformed-json", "truncated JSON", "invalid-notebook", 0, raw(b'{"cells": [{"cell_type": "code"')),
    Case("zero-bytes", "an empty file", "invalid-notebook", 0, raw(b"")),
    Case("nbformat-3", "an nbformat 3 notebook", "invalid-notebook", 0,
         raw(json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}).encode())),
    Case("nbformat-5", "a notebook claiming nbformat 5", "invalid-notebook", 0,
         raw(json.dumps({"nbformat": 5, "nbformat_minor": 0, "cells": [], "metadata": {}}).encode())),
    Case("other-assignment", "assignment 01's notebook saved as toy.ipynb", "invalid-notebook", 0,
         _other_assignment),
    Case("deleted-cells", "deleted the add solution and its test", "graded", 1, _edited(_delete_add)),
    Case("edited-test", "emptied a test cell and answered wrongly", "graded", 1, _edited(_edit_test)),
    Case("duplicated-id", "copies of a solution and a test cell (same grade ids)", "graded", 3,
         _edited(_duplicate_ids)),
    Case("infinite-loop", "a loop that never ends", "timed-out", 2,
         code(slow="def slow():\n    while True:\n        pass")),
    Case("ignores-sigint", "a loop that ignores the interrupt", "timed-out", 2,
         code(slow="import signal, time\ndef slow():\n    getattr(signal, 'sig' + 'nal')(signal.SIGINT, signal.SIG_IGN)\n"
                   "    while True:\n        time.sleep(0.05)")),
    Case("os-exit", "os._exit from inside a test", "crashed", 2,
         code(slow="import os\ndef slow():\n    getattr(os, '_ex' + 'it')(3)")),
    Case("kill-parent", "kills its parent process, the grader", "graded", 3,
         code(add="import os\ngetattr(os, 'ki' + 'll')(os.getppid(), 9)\n" + GOOD_ADD)),
    Case("memory-bomb", "allocates 6 GiB under a 2 GiB limit", "graded", 2,
         code(slow="def slow():\n    block = bytearray(6 * 1024 ** 3)\n    return 1")),
    Case("process-bomb", "starts 600 processes under a limit of 256", "graded", 2,
         code(slow="import subprocess\ndef slow():\n    started = []\n    try:\n        for _ in range(600):\n"
                   "            started.append(subprocess.Popen(['sleep', '30']))\n    finally:\n"
                   "        for process in started:\n            process.kill()\n    return 1")),
    Case("huge-output", "prints 50 MB", "graded", 3,
         code(slow="print('x' * 50_000_000)\nfor _ in range(20):\n    print('y' * 1_000_000)\n" + GOOD_SLOW)),
    Case("network", "connects to a server on the grader's loopback", "graded", 2, code(slow=NETWORK)),
    Case("read-course", "reads the source, gradebook, config and another student's file", "graded", 2,
         code(slow=READ_SECRETS)),
    Case("write-course", "appends to the config and the gradebook, writes /tmp", "graded", 3,
         code(slow=WRITE_COURSE)),
    Case("patch-numpy-testing", "replaces numpy.testing.assert_allclose at run time", "flagged", 0,
         code(add="import numpy.testing as t\nsa = setattr\nsa(t, 'assert_' + 'allclose', lambda *a, **k: None)\n"
                  "def add(a, b):\n    return a - b")),
    Case("patch-checks", "replaces the course's check_close at run time", "flagged", 0,
         code(add="from dgmcourse.student import checks as c\nsa = setattr\nsa(c, 'check_' + 'close', print)\n" + GOOD_ADD)),
    Case("patch-builtins", "makes abs() return 0, so every tolerance check passes", "flagged", 0,
         code(add="import builtins as b\nsa = setattr\nsa(b, 'a' + 'bs', lambda x: 0)\n" + GOOD_ADD)),
    Case("patch-isinstance", "makes isinstance always true (breaks the kernel itself)", "timed-out", 0,
         code(add="import builtins as b\nsa = setattr\nsa(b, 'is' + 'instance', lambda *a: True)\n" + GOOD_ADD)),
    Case("input-transformer", "an input transformer that blanks cells with assert", "flagged", 0,
         code(add="ip = get_ipython()\ngetattr(ip, 'input_transformers' + '_cleanup').append(\n"
                  "    lambda lines: ['pass\\n'] if any('assert' in l for l in lines) else lines)\n"
                  "def add(a, b):\n    return 0")),
    Case("ast-transformer", "an AST transformer that strips assert statements", "flagged", 0,
         code(add="import ast\nclass NoAssert(ast.NodeTransformer):\n    def visit_Assert(self, node):\n"
                  "        return ast.Pass()\ngetattr(get_ipython(), 'ast_' + 'transformers').append(NoAssert())\n"
                  "def add(a, b):\n    return 0")),
    Case("custom-exception-handler", "a custom exception handler that hides failures", "flagged", 0,
         code(add="getattr(get_ipython(), 'set_custom' + '_exc')((Exception,), lambda *a, **k: None)\n"
                  "def add(a, b):\n    return 0")),
    Case("always-equal", "returns an object equal to everything", "flagged", 1,
         code(add="class Anything:\n    def __eq__(self, other):\n        return True\n"
                  "def add(a, b):\n    return Anything()")),
    Case("static-monkeypatch", "assigns numpy.testing.assert_allclose plainly", "flagged", 0,
         code(add="import numpy as np\nnp.testing.assert_allclose = lambda *a, **k: None\n" + GOOD_ADD)),
]
