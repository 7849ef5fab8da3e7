"""The adversarial corpus: one submission per attack or bad input, with the outcome it must get.

All submissions are of the toy assignment (``conftest.toy_master``): ``add`` (2 points,
with a hidden test) then ``slow`` (1 point; its test relies on ``check_close``,
``EXPECTED_SLOW`` and ``isinstance`` as the locked set-up cell bound them). Attacks sit in
``slow`` where possible, so the points ``add`` earned before the attack show that earlier
cells keep their points. Attacks that try to raise a grade are appended to a wrong answer:
they must not earn its points. Several attacks are written to slip past the static scan
(``getattr`` with pieced-together names), so that the sandbox and the run-time defences
are what stops them.

A build returns file name -> bytes, or ``Link``/``HardLink`` for links in the submission
folder, or ``FolderLink`` for an assignment folder that is itself a link.
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
WRONG_ADD = "def add(a, b):\n    return a - b"
WRONG_SLOW = "def slow():\n    return 2"


@dataclass
class Case:
    name: str
    what: str
    status: str
    score: float
    build: Callable[[Course, dict], dict]
    reason: str = ""  # a part of the reason the grader must give (when the status alone does not say it)


@dataclass(frozen=True)
class Link:
    target: str  # formatted with the context: "{root}/source/toy/toy.ipynb"


@dataclass(frozen=True)
class HardLink:
    target: str


@dataclass(frozen=True)
class FolderLink:
    target: str


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

# Attacks on the naming of mistakes (diagnosis.py): after the last cell, the grader calls the student's
# `add` on the toy catalogue's probe inputs (floats; the tests use ints). None may change a grade.
PROBE_HANGS = """import signal
import time
def add(a, b):
    if isinstance(a, float):
        getattr(signal, 'sig' + 'nal')(signal.SIGINT, signal.SIG_IGN)
        while True:
            time.sleep(1)
    return a - b"""

PROBE_EXITS = """import os
def add(a, b):
    if isinstance(a, float):
        getattr(os, '_ex' + 'it')(0)
    return a - b"""

PROBE_HUGE = """import torch
def add(a, b):
    if isinstance(a, float):
        return torch.zeros(20_000_000)
    return a - b"""

# Once probed, prints every str as a huge set literal: the grader reads its helpers' answers as that text
# (a set of colliding hashes took minutes and gigabytes to parse, in the grader, outside the kernel's limits).
PROBE_FORMATTER = """def add(a, b):
    if isinstance(a, float):
        shell = get_ipython()
        plain = getattr(shell, 'display_' + 'formatter').formatters['text/' + 'plain']
        huge = '{{' + ','.join(str((2 ** 61 - 1) * i) for i in range(250_000)) + '}}'
        plain.for_type(str, lambda obj, printer, cycle: printer.text(huge))
    return a - b"""

# Replaces the function the grader calls in the kernel, to be told a mistake (or anything) it chooses.
PROBE_FORGED = """import json
from dgmcourse.instructor import probe_outputs as _probes
_forged = json.dumps(dict(kind="sequence", items=[dict(kind="number", values=[x]) for x in range(300_000)]))
setattr(_probes, 'kernel_' + 'answer', lambda source, task: _forged)
def add(a, b):
    return a - b"""

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
         code(slow="import signal, time\ndef slow():\n"
              "    getattr(signal, 'sig' + 'nal')(signal.SIGINT, signal.SIG_IGN)\n"
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
         code(add="from dgmcourse.student import checks as c\nsa = setattr\n"
             "sa(c, 'check_' + 'close', print)\n" + GOOD_ADD)),
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


# --- issue 12: attacks found by an outside run, of the kinds it described ---------------------

# 1. A kernel rewrites what it can reach of the grader's runtime folder, naming a host folder,
#    hoping the grader removes it as a finished cgroup.
REWRITE_RUNTIME = '''import os, sys
_runtime = os.path.dirname(sys.argv[sys.argv.index('-f') + 1])
for _name in ('cgroup', 'cgroups', 'cgroup.procs', '../sandbox.json', 'kernel.json'):
    try:
        with open(os.path.join(_runtime, _name), 'w') as _handle:
            _handle.write('{victim}')
    except OSError:
        pass
''' + WRONG_ADD

# 2. Links in the submission folder; the kernel looks for what they point at.
READ_LINKED = '''import os
def slow():
    for _name in sorted(os.listdir('.')):
        try:
            with open(_name) as _handle:
                print(_name, _handle.read()[:2000])
        except OSError as _error:
            print(_name, _error)
    return 1'''


def _with_links(links: dict) -> Callable[[Course, dict], dict]:
    def build(course, ctx):
        files = _as_files(_solution(course, WRONG_ADD, READ_LINKED))
        files.update(links)
        return files
    return build


# 3. tmpfs is host RAM that an address-space limit does not count.
FILL_TMPFS = '''_block, _held = b'x' * (32 * 1024 * 1024), []
for _where, _most in (('/tmp', 640), ('/dev/shm', 320)):
    _written = 0
    try:
        for _i in range(_most // 32):
            with open(f'{{_where}}/fill-{{_i}}', 'wb') as _handle:
                _handle.write(_block)
            _written += 32
    except OSError:
        pass
    _held.append(_written)
print('held MiB', _held)
''' + GOOD_SLOW


# 4a. Feedback pages are opened in browsers: scripts, handlers and remote resources.
HTML_PAYLOADS = '''from IPython.display import display, HTML, Javascript, SVG, Markdown
display(HTML("<script>document.title='owned-1'</script><img src=x onerror=alert(1)>"
             "<img src='http://example.invalid/beacon.png'><a href='javascript:alert(2)'>x</a>"
             "<iframe src='http://example.invalid/'></iframe><style>body {{background:url(http://example.invalid/b)}}</style>"))
display(Javascript("document.title='owned-3'"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(4)"><script>alert(5)</script></svg>'))
display(Markdown("<script>alert(6)</script>"))
display({{'image/png': 'AAAA" onerror="alert(9)', 'text/plain': 'image'}}, raw=True)
''' + WRONG_ADD


def _html_payloads(course, ctx):
    notebook = _solution(course, WRONG_ADD, GOOD_SLOW)
    add = next(c for c in notebook["cells"] if nb.grade_id(c) == "add__solution")
    nb.set_source(add, HTML_PAYLOADS.format(**ctx))
    add["metadata"]["tags"] = ['x" onmouseover="alert(8)']
    notebook["cells"].insert(1, {"cell_type": "markdown", "id": "evil-md", "metadata": {}, "source":
                                 "Notes <script>alert(10)</script> <img src=x onerror=alert(11)> "
                                 "<img src='http://example.invalid/md.png'>"})
    notebook["cells"].insert(2, {"cell_type": "raw", "id": "evil-raw", "metadata": {"format": "text/html"},
                                 "source": "<script>alert(12)</script>"})
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0, "x": "</script><script>alert(13)</script>"}}
    return _as_files(notebook)


# 4b. The test that calls student code, read from the caller's frame, linecache and the input
#     history, printed at once and kept to be printed again by a later cell.
LEAK_TEST_SOURCE = '''import sys
_stolen = []
def add(a, b):
    _frame = getattr(sys, '_get' + 'frame')(1)
    _code = getattr(_frame, 'f_' + 'code')
    _lines = __import__('line' + 'cache').getlines(_code.co_filename)
    _history = get_ipython().user_ns.get('_i' + 'h', [])
    _stolen.extend(_lines + list(_history))
    print(''.join(_lines))
    return a - b'''
PRINT_STOLEN = '''from IPython.display import display, HTML
print(repr(_stolen))
display(HTML('<pre>' + '<br>'.join(_stolen) + '</pre>'))
def slow():
    print(_stolen)
    return 1'''

# 6. Rebinding the names the test cells rely on.
REBIND_CHECK = "def check_close(*args, **kwargs):\n    return None\n" + WRONG_SLOW
REBIND_CONSTANT = "EXPECTED_SLOW = [2]\n" + WRONG_SLOW
SHADOW_BUILTIN = "def isinstance(*args):\n    return True\ndef slow():\n    return '1'"
REBIND_THROUGH_GLOBALS = "globals()['check_' + 'close'] = lambda *args, **kwargs: None\n" + WRONG_SLOW
REPLACE_GUARDS_RECORD = '''import sys
_guard = sys.modules.get('dgmcourse.instructor.kernel' + '_guard')
def _nothing(*args, **kwargs):
    return None
if _guard is not None:
    getattr(_guard, '_lo' + 'cked')['check_close'] = _nothing
check_close = _nothing
''' + WRONG_SLOW

# 7. A result published from inside the graded function, or from a thread, as partial credit.
DISPLAYHOOK_IN_FUNCTION = "import sys\ndef slow():\n    getattr(sys, 'display' + 'hook')(1.0)\n    return 2"
DISPLAYHOOK_THREAD = '''import sys, threading, time
_shell = get_ipython()
def _publish():
    for _i in range(600):
        try:  # address the result to whatever cell the kernel is running now
            _hook = getattr(sys, 'display' + 'hook')
            _hook.set_parent(_shell.kernel.get_parent("shell"))
            _hook(0.99 + _i * 1e-9)  # a new value each time: IPython skips a repeat of the last result
        except Exception:
            pass
        time.sleep(0.02)
threading.Thread(target=_publish, daemon=True).start()
def add(a, b):
    time.sleep(0.3)  # long enough for a result to land before the test's error
    return a - b'''

# 8. IPython's events and traceback machinery.
RESET_ERROR = '''def _forgive(result):
    result.error_in_exec = None
    from IPython.display import clear_output
    clear_output()
'''
CALLBACK_BEFORE = (RESET_ERROR + "getattr(get_ipython(), 'eve' + 'nts').register('post_run_cell', _forgive)\n"
                   + WRONG_ADD)
CALLBACK_DURING = RESET_ERROR + '''def slow():
    getattr(get_ipython(), 'eve' + 'nts').register('post_run_cell', _forgive)
    return 2'''
CALLBACK_METHODCALLER = ('''import operator
getattr(get_ipython(), 'eve' + 'nts').register('post_run_cell',
                                               operator.methodcaller('__setattr__', 'error_in_exec', None))
''' + WRONG_ADD)
SILENCE_TRACEBACKS = "setattr(get_ipython(), 'show' + 'traceback', lambda *args, **kwargs: None)\n" + WRONG_ADD

# 9. An oracle: the expected value read from the calling test's source and evaluated there.
ORACLE = '''import sys, re
def add(a, b):
    try:
        raise RuntimeError
    except RuntimeError as _error:
        _frame = getattr(getattr(_error.__traceback__, 'tb_' + 'frame'), 'f_' + 'back')
    _source = ''.join(__import__('line' + 'cache').getlines(getattr(_frame, 'f_' + 'code').co_filename))
    for _match in re.finditer(r"add\\(([-\\d]+), ([-\\d]+)\\) == ([-\\d]+)", _source):
        if (int(_match.group(1)), int(_match.group(2))) == (a, b):
            return eval(_match.group(3), getattr(_frame, 'f_' + 'globals'))
    return a - b'''
ORACLE_PLAIN = '''import inspect, linecache
def add(a, b):
    _frame = inspect.currentframe().f_back
    _source = ''.join(linecache.getlines(_frame.f_code.co_filename))
    return a - b'''

# 10. Honest habits that must keep every point with no flag.
HONEST_NAMES = '''import math as checks
import statistics as testing
operator = "+"
builtins_seen = dict()
tallies = dict()
tallies["start"] = checks.sqrt(4)
testing_results = [testing.mean([1, 2, 3])]
def add(a, b):
    checks_done = dict()
    checks_done[a] = b
    return a + b'''
HONEST_CLASSES = '''from dataclasses import dataclass
from enum import Enum

@dataclass(order=True)
class Pair:
    left: float
    right: float

class Vector:
    def __init__(self, values):
        self.values = list(values)
    def __sub__(self, other):
        return Vector(a - b for a, b in zip(self.values, other.values))
    def __abs__(self):
        return sum(abs(v) for v in self.values)
    def __float__(self):
        return float(sum(self.values))
    def __repr__(self):
        return f"Vector({{self.values}})"
    def __call__(self):
        return self.values

class Mode(Enum):
    SUM = 1

def add(a, b):
    return float(Vector([a]) - Vector([-b])) if Pair(a, b) <= Pair(a, b) else None'''
HONEST_TOOLS = '''%time _warm = sum(range(1000))
import inspect, logging, warnings
from tqdm.auto import tqdm
logging.basicConfig(level=logging.INFO)
logging.getLogger("student").info("starting")
def add(a, b):
    for _ in tqdm(range(3), disable=False):
        pass
    warnings.warn("this is only a warning")
    print("adding", a, b, inspect.signature(add))
    return a + b'''
HONEST_PLOTS = '''%matplotlib inline
import matplotlib.pyplot as plt
import traceback
plt.plot([1, 2, 3])
plt.show()
try:
    1 / 0
except ZeroDivisionError:
    print(traceback.format_exc())
''' + GOOD_ADD

# Where the static scan cannot tell: points kept, marked for review.
AMBIGUOUS_NAME = '''from dgmcourse.student import checks
_kind = checks.describe(1)
checks = dict(start=1)
checks["end"] = 2
''' + GOOD_ADD
CODE_FROM_STRINGS = "exec('x_' + 'value = 1')\n" + GOOD_ADD

# Found by an independent red-team run, rewritten here by kind.
# Uploaded Python files that Python would import in place of real modules.
SHADOW_MODULES = {"ipykernel_launcher.py": b"raise SystemExit('the uploaded launcher ran')\n",
                  "numpy.py": b"raise ImportError('the uploaded numpy ran')\n",
                  "sitecustomize.py": b"import builtins\nbuiltins.abs = lambda x: 0\n",
                  "checks.cpython-311-x86_64-linux-gnu.so": b"\x7fELF not really"}
# What the tests bind, used or changed by the student's code.
HELPER_ORACLE = "def slow():\n    try:\n        return _reference(0, 1)\n    except NameError:\n        return 2"
OVERWRITE_EXPECTED = "def slow():\n    global _slow_target\n    _slow_target = 2\n    return 2"
PRINT_TEST_NAMES = "print(sorted(name for name in globals() if name.startswith('_') and not name.startswith('__')))\n" \
    + GOOD_SLOW
HONEST_AUTORELOAD = "%load_ext autoreload\n%autoreload 2\n" + GOOD_ADD


def _oversized(course, ctx):
    notebook = _solution(course)
    notebook["cells"].insert(1, {"cell_type": "markdown", "id": "huge", "metadata": {}, "source": "x" * 9_000_000})
    return _as_files(notebook)


def _bad_grade_id(course, ctx):
    notebook = _solution(course)
    for cell in notebook["cells"]:
        if nb.grade_id(cell) == "slow__solution":
            cell["metadata"]["nbgrader"]["grade_id"] = ["slow__solution"]
    return _as_files(notebook)


def _svg_attachment(course, ctx):
    notebook = _solution(course)
    notebook["cells"].insert(1, {"cell_type": "markdown", "id": "drawing",
                                 "source": "My sketch: ![sketch](attachment:s.svg)",
                                 "metadata": {}, "attachments": {"s.svg": {"image/svg+xml":
                                     "PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+"}}})
    return _as_files(notebook)


def _lone_surrogate(course, ctx):
    return {"toy.ipynb": json.dumps(_solution(course)).replace("Toy assignment", "Toy \\ud800 assignment").encode()}


# Found by a second red-team run, rewritten here by kind.
MUTATE_LOCKED = "EXPECTED_SLOW[0] = 2\n" + WRONG_SLOW
PATCH_NUMPY = "import numpy\n" \
    "setattr(numpy, 'is' + 'close', lambda a, b, *args, **kwargs: numpy.ones_like(a, dtype=bool))\n" \
    + WRONG_SLOW
PATCH_TORCH_PARTIAL = ("import functools, torch\ntorch.allclose = functools.partial(torch.allclose, atol=1e9)\n"
                       + WRONG_SLOW)
LOOSEN_DEFAULTS = "getattr(check_close, '__kwdefaults__').update(atol=5.0, rtol=5.0)\n" + WRONG_SLOW
COMM_FLOOD = '''import uuid
from comm import create_comm
_big = 'A' * (8 * 1024 * 1024)
for _i in range(40):
    create_comm(target_name='jupyter.widget', comm_id=uuid.uuid4().hex,
                data=dict(state=dict(_model_name='X', value=_big), buffer_paths=[]))
''' + WRONG_ADD
HONEST_DISPLAY = ("from IPython.core.interactiveshell import InteractiveShell\n"
                  "InteractiveShell.ast_node_interactivity = 'all'\n" + GOOD_ADD)
FRAME_LITERAL = '''import logging
def slow():
    _frame = logging.currentframe()
    while _frame is not None:
        _names = getattr(_frame, "f_locals")
        if "_slow_target" in _names:
            return int(_names["_slow_target"])
        _frame = getattr(_frame, "f_back")
    return 2'''

CASES += [
    Case("mutate-locked-data", "changes the read-only expected array in place", "graded", 2, code(slow=MUTATE_LOCKED)),
    Case("patch-numpy-function", "replaces numpy.isclose with a pieced-together setattr", "flagged", 2,
         code(slow=PATCH_NUMPY), reason="numpy.isclose"),
    Case("patch-torch-partial", "replaces torch.allclose with a functools.partial", "flagged", 2,
         code(slow=PATCH_TORCH_PARTIAL), reason="torch.allclose"),
    Case("loosen-check-defaults", "loosens check_close's default tolerances in place", "flagged", 2,
         code(slow=LOOSEN_DEFAULTS), reason="check_close"),
    Case("comm-flood", "320 MB of widget comm messages (held by the grader, not the kernel)", "graded", 1,
         code(add=COMM_FLOOD)),
    Case("honest-display-setting", "InteractiveShell.ast_node_interactivity = 'all'", "graded", 3,
         code(add=HONEST_DISPLAY)),
    Case("frame-walk-literal-names", "walks frames with logging.currentframe and literal getattr names", "flagged", 2,
         code(slow=FRAME_LITERAL), reason="currentframe"),
    Case("shadow-modules", "uploads ipykernel_launcher.py, numpy.py, sitecustomize.py and an extension module",
         "graded", 1, lambda course, ctx: {**_as_files(_solution(course, WRONG_ADD)), **SHADOW_MODULES}),
    Case("test-helper-oracle", "calls a helper an earlier hidden test defined", "graded", 2,
         code(slow=HELPER_ORACLE)),
    Case("overwrite-expected", "overwrites the test's expected value with a global statement", "graded", 2,
         code(slow=OVERWRITE_EXPECTED)),
    Case("print-test-names", "prints every underscore name a test or the grader left", "graded", 3,
         code(slow=PRINT_TEST_NAMES)),
    Case("honest-autoreload", "%load_ext autoreload, %autoreload 2", "graded", 3, code(add=HONEST_AUTORELOAD)),
    Case("svg-attachment", "a markdown cell showing an SVG attachment (which can hold a script)", "graded", 3,
         _svg_attachment),
    Case("oversized-notebook", "a 9 MB markdown cell", "invalid-notebook", 0, _oversized, reason="MiB"),
    Case("deeply-nested-json", "JSON nested 100,000 deep", "invalid-notebook", 0,
         raw(b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"), reason="not valid notebook JSON"),
    Case("grade-id-list", "a grade id that is a list (the cell runs as an ordinary cell)", "graded", 3,
         _bad_grade_id),
    Case("lone-surrogate", "a lone surrogate in a cell", "invalid-notebook", 0, _lone_surrogate,
         reason="could not be read"),
    Case("huge-number", "a 5,000-digit nbformat_minor", "invalid-notebook", 0,
         raw(b'{"nbformat": 4, "nbformat_minor": ' + b"9" * 5000 + b', "cells": [], "metadata": {}}'),
         reason="not valid notebook JSON"),
    Case("rewrite-runtime-folder", "names a host folder in the runtime folder the grader reads", "graded", 1,
         code(add=REWRITE_RUNTIME)),
    Case("link-notebook-to-master", "the notebook is a link to the master (solutions, hidden tests)",
         "invalid-notebook", 0, lambda course, ctx: {"toy.ipynb": Link("{root}/source/toy/toy.ipynb")},
         reason="symbolic link"),
    Case("links-beside-notebook", "links to the master, a folder, nowhere, and a hard link, read by the kernel",
         "graded", 1, _with_links({"data.txt": Link("../../../source/toy/toy.ipynb"), "secrets": Link("{root}/source"),
                                   "dangling.txt": Link("/nonexistent/file"),
                                   "hard.txt": HardLink("{root}/source/toy/toy.ipynb")})),
    Case("link-assignment-folder", "the assignment folder is a link to source/toy", "invalid-notebook", 0,
         lambda course, ctx: FolderLink("{root}/source/toy"), reason="symbolic link"),
    Case("fill-tmpfs", "fills /tmp and /dev/shm, which are host RAM", "graded", 1,
         code(add=WRONG_ADD, slow=FILL_TMPFS)),
    Case("html-payloads", "scripts, handlers, remote images, SVG, widget state and tags in outputs and cells",
         "graded", 1, _html_payloads),
    Case("leak-test-source", "prints the calling test's source and keeps it for a later cell", "needs-review", 1,
         code(add=LEAK_TEST_SOURCE, slow=PRINT_STOLEN), reason="built at run time (__import__)"),
    Case("feedback-fails", "an unbalanced hidden-test marker in a solution cell breaks nbgrader's feedback",
         "graded", 3, code(add="def add(a, b):\n    ### BEGIN HIDDEN TESTS\n    return a + b"),
         reason="no feedback was written: RuntimeError"),
    Case("rebind-check-close", "defines a check_close that accepts anything", "graded", 2,
         code(slow=REBIND_CHECK)),
    Case("rebind-constant", "rebinds the locked constant the test compares with", "graded", 2,
         code(slow=REBIND_CONSTANT)),
    Case("shadow-builtin", "shadows isinstance so that a string passes as an int", "graded", 2,
         code(slow=SHADOW_BUILTIN)),
    Case("rebind-through-globals", "rebinds check_close through globals() with a pieced name", "graded", 2,
         code(slow=REBIND_THROUGH_GLOBALS)),
    Case("replace-guards-record", "replaces what the grader recorded for check_close, then rebinds it", "flagged", 2,
         code(slow=REPLACE_GUARDS_RECORD), reason="read-only cells bound were replaced"),
    Case("displayhook-in-function", "publishes a result from inside the graded function", "graded", 2,
         code(slow=DISPLAYHOOK_IN_FUNCTION)),
    Case("displayhook-thread", "a thread publishes results during every later cell", "graded", 1,
         code(add=DISPLAYHOOK_THREAD)),
    Case("callback-before-tests", "a post_run_cell callback that forgives errors and clears output", "flagged", 0,
         code(add=CALLBACK_BEFORE), reason="event callbacks"),
    Case("callback-during-test", "the graded function registers the forgiving callback itself", "flagged", 2,
         code(slow=CALLBACK_DURING), reason="tampering detected"),
    Case("callback-methodcaller", "a library-made callback (operator.methodcaller) that forgives errors", "flagged",
         0, code(add=CALLBACK_METHODCALLER), reason="event callbacks"),
    Case("silence-tracebacks", "replaces IPython's showtraceback", "flagged", 0, code(add=SILENCE_TRACEBACKS),
         reason="showtraceback"),
    Case("oracle-from-test-source", "reads the calling test's source through frames and evaluates its answer",
         "needs-review", 1, code(add=ORACLE), reason="built at run time"),
    Case("oracle-written-plainly", "the same walk written plainly (inspect, f_back, linecache)", "flagged", 0,
         code(add=ORACLE_PLAIN), reason="frames"),
    Case("honest-names", "dicts and modules named like course objects", "graded", 3, code(add=HONEST_NAMES)),
    Case("honest-classes", "a helper class with __sub__/__abs__/__float__, a dataclass, an Enum", "graded", 3,
         code(add=HONEST_CLASSES)),
    Case("honest-tools", "%time, logging, warnings, tqdm, print, inspect.signature", "graded", 3,
         code(add=HONEST_TOOLS)),
    Case("honest-plots", "%matplotlib inline, a plot, traceback.format_exc", "graded", 3, code(add=HONEST_PLOTS)),
    Case("ambiguous-name", "a name bound to the checks module and then to a dict", "needs-review", 3,
         code(add=AMBIGUOUS_NAME), reason="may be the module"),
    Case("code-from-strings", "exec of a string built at run time", "needs-review", 3, code(add=CODE_FROM_STRINGS),
         reason="built at run time"),
    Case("probe-hangs", "a wrong add that hangs, deaf to interrupts, when the grader probes it", "graded", 1,
         code(add=PROBE_HANGS)),
    Case("probe-exits", "a wrong add that ends the kernel when the grader probes it", "graded", 1,
         code(add=PROBE_EXITS)),
    Case("probe-huge", "a wrong add that answers the probes with 20 million numbers", "graded", 1,
         code(add=PROBE_HUGE)),
    Case("probe-formatter", "a wrong add that, once probed, makes every answer a huge set literal", "graded", 1,
         code(add=PROBE_FORMATTER)),
    Case("probe-forged", "replaces the grader's probe function in the kernel with a forged, oversized answer",
         "flagged", 0, code(add=PROBE_FORGED), reason="probe_outputs"),
]
