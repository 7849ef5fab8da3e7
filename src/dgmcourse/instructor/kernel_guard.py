"""The grader's helpers inside a sandboxed kernel, called by ``BoundedExecute`` between cells.

Nothing here is for students, and nothing here leaves a name in the notebook's namespace:
the grader reaches this module with ``__import__`` inside a user expression.

- ``fingerprint()`` describes the machinery a test relies on (IPython's event callbacks,
  traceback and display hooks, input and AST transformers, the builtins, the course's
  checks, ``numpy.testing``) by object identity. The grader takes it once before any
  student code runs and compares every later one with it: identities cannot be faked
  by student code, only changed.
- ``record(names)`` keeps the objects a locked (read-only) cell bound, after it ran, and
  answers their identities, which the grader keeps.
- ``install`` keeps the text of test cells out of ``linecache`` while they run.
- ``enter_test`` puts those objects back under their names, and takes out student globals
  that shadow a builtin the test cell uses, so that a test calls the course's
  ``check_close``, ``EPS`` and ``isinstance``, whatever the student bound to those names.
  ``leave_test`` gives the student's bindings back and drops the test cell's source from
  ``linecache``, so that later student code cannot read it there.
"""
from __future__ import annotations

import builtins
import hashlib
import json
import linecache
import sys

from IPython import get_ipython

_MISSING = object()
# IPython adds and removes these around every cell; they say nothing about tampering.
_VOLATILE_BUILTINS = {"get_ipython", "exit", "quit", "display", "_", "__", "___", "__IPYTHON__", "help",
                      "copyright", "credits", "license", "__builtins__", "__spec__", "__loader__", "__package__"}
_locked: dict[str, object] = {}
_saved: dict[str, object] = {}
_hiding = [False]  # while a test cell runs, its source is compiled without entering linecache


def install() -> str:
    """Before any student code: make the shell's compile cache skip linecache while a test runs.

    IPython puts every cell's text into ``linecache`` so that tracebacks can quote it; for
    a test cell that text is the hidden test, and student code called by the test could
    read it there through its caller's frame. A test's traceback loses its quoted lines,
    which the feedback redacts anyway; its message is unchanged.
    """
    compiler = get_ipython().compile
    if getattr(compiler, "_dgmcourse_hides", False):
        return ""
    original = compiler.cache

    def cache(transformed_code, number=0, raw_code=None):
        if not _hiding[0]:
            return original(transformed_code, number, raw_code)
        name = compiler.get_code_name(raw_code if raw_code is not None else transformed_code, transformed_code,
                                      number)
        compiler._filename_map[name] = number
        return name

    compiler.cache = cache
    compiler._dgmcourse_hides = True
    return ""


def _ids(values) -> list[int]:
    return [id(value) for value in values]


def _identity(value) -> list[int]:
    """A stable identity: a bound method is made anew on every access, its function is not."""
    return [id(getattr(value, "__func__", value)), id(getattr(value, "__self__", None))]


def _shell_parts(shell) -> dict[str, list[int]]:
    parts = {}
    for name in ("run_cell", "run_cell_async", "_run_cell", "run_ast_nodes", "run_code", "showtraceback",
                 "_showtraceback", "showsyntaxerror", "InteractiveTB", "SyntaxTB", "CustomTB", "displayhook",
                 "display_pub", "excepthook", "set_custom_exc", "transform_cell", "should_run_async"):
        parts[f"shell.{name}"] = _identity(getattr(shell, name, None))
    for event, callbacks in sorted(shell.events.callbacks.items()):
        parts[f"events.{event}"] = [id(getattr(c, "__func__", c)) for c in callbacks if not _library_callback(c)]
    parts["transformers"] = _ids([*shell.input_transformers_cleanup, *shell.input_transformers_post,
                                  *shell.ast_transformers])
    parts["custom_exceptions"] = [id(shell.custom_exceptions), id(getattr(shell, "CustomTB", None))]
    for name in ("structured_traceback", "show_exception_only", "__call__"):
        parts[f"InteractiveTB.{name}"] = _identity(getattr(shell.InteractiveTB, name, None))
    parts["compile"] = [id(shell.compile), id(shell.compile.__dict__.get("cache")),
                        id(getattr(type(shell.compile), "get_code_name", None))]
    return parts


def _module_functions(name: str) -> dict[str, list[int]]:
    module = __import__(name, fromlist=["_"])
    parts = {}
    for attribute, value in sorted(vars(module).items()):
        if callable(value) and not attribute.startswith("__"):
            parts[f"{name}.{attribute}"] = [id(value), id(getattr(value, "__code__", None))]
    return parts


def fingerprint() -> str:
    """JSON: what the tests rely on, by identity."""
    parts: dict[str, list[int]] = {}
    shell = get_ipython()
    parts.update(_shell_parts(shell))
    parts["sys.hooks"] = _ids([sys.excepthook, sys.displayhook, sys.breakpointhook, sys.gettrace(),
                               sys.getprofile()])
    parts.update({f"builtins.{k}": [id(v)] for k, v in vars(builtins).items() if k not in _VOLATILE_BUILTINS})
    for module in ("dgmcourse.student.checks", "numpy.testing", "math"):
        parts.update(_module_functions(module))
    return json.dumps(parts, sort_keys=True)


LIBRARY_CALLBACKS = ("matplotlib", "matplotlib_inline", "ipykernel", "IPython", "ipywidgets")


def _library_callback(callback) -> bool:
    """A callback a library registers itself (pyplot's redraw, ``%matplotlib inline``'s flush).

    It must be a plain function of one of those packages, defined in the package's installed
    files and bound under its name in its module: an honest habit, not something student
    code made (a lambda, a ``partial``, an ``operator.methodcaller``, a function of a cell).
    """
    import importlib.util
    import os

    function = getattr(callback, "__func__", callback)
    module = getattr(function, "__module__", None) or ""
    code = getattr(function, "__code__", None)
    top = module.split(".")[0]
    if top not in LIBRARY_CALLBACKS or code is None or module not in sys.modules:
        return False
    spec = importlib.util.find_spec(top)
    folder = os.path.dirname(spec.origin) if spec and spec.origin else None
    owner = sys.modules[module]
    bound = getattr(owner, getattr(function, "__name__", ""), None)
    return bool(folder) and code.co_filename.startswith(folder + os.sep) and \
        getattr(bound, "__func__", bound) is function


def record(names: list[str]) -> str:
    """Keep what a locked cell bound; JSON {name: identity} for the grader."""
    namespace = get_ipython().user_ns
    kept = {}
    for name in names:
        if name in namespace:
            _locked[name] = namespace[name]
            kept[name] = id(namespace[name])
    return json.dumps(kept)


def enter_test(expected: dict[str, int], shadowing: list[str]) -> str:
    """Bind the locked names to what the locked cells bound and unshadow builtins; "" or what is wrong."""
    namespace = get_ipython().user_ns
    _saved.clear()
    wrong = [name for name, identity in expected.items() if id(_locked.get(name, _MISSING)) != identity]
    if wrong:
        return "the objects the read-only cells bound were replaced: " + ", ".join(sorted(wrong))
    for name in expected:
        _saved[name] = namespace.get(name, _MISSING)
        namespace[name] = _locked[name]
    for name in shadowing:
        if name in namespace and name not in expected and hasattr(builtins, name):
            _saved[name] = namespace.pop(name)
    _hiding[0] = True
    return ""


def _source_key(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def leave_test(source_key: str) -> str:
    """Give the student's bindings back and forget the test cell's source."""
    _hiding[0] = False
    namespace = get_ipython().user_ns
    for name, value in _saved.items():
        if value is _MISSING:
            namespace.pop(name, None)
        else:
            namespace[name] = value
    _saved.clear()
    for cache in (linecache.cache, getattr(linecache, "_ipython_cache", {})):
        for name, entry in list(cache.items()):
            try:
                if _source_key("".join(entry[2])) == source_key:
                    del cache[name]
            except Exception:  # an entry of another shape: not a cell
                continue
    return ""
