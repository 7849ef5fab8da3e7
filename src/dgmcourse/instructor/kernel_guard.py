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
- ``enter_test`` runs the next test cell in a namespace of its own: the student's names,
  under them what earlier tests bound and what the read-only cells bound, without student
  globals that shadow a builtin the test reads. So a test calls the course's
  ``check_close``, ``EPS`` and ``isinstance`` whatever the student bound to those names, and
  the test's own names (its helpers, inputs and expected values) never enter the student's
  namespace, where student code could read or overwrite them.
  ``leave_test`` gives the student's namespace back and drops the test cell's source from
  ``linecache``, so that later student code cannot read it there.
"""
from __future__ import annotations

import builtins
import hashlib
import json
import linecache
import sys
import types

from IPython import get_ipython

_MISSING = object()
# IPython adds and removes these around every cell; they say nothing about tampering.
_VOLATILE_BUILTINS = {"get_ipython", "exit", "quit", "display", "_", "__", "___", "__IPYTHON__", "help",
                      "copyright", "credits", "license", "__builtins__", "__spec__", "__loader__", "__package__"}
_locked: dict[str, object] = {}  # what the read-only cells bound
_pristine: dict[str, object] = {}  # copies of the arrays and tensors among them, as the cells left them
SNAPSHOT_BYTES = 256 * 1024 * 1024  # larger data is kept by identity only
_tests_own: dict[str, object] = {}  # what earlier test cells bound
_student: list = []  # the student's module, namespace, and the test's namespace as it started
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
            # Defaults too: loosening check_close's rtol in place changes neither object nor code.
            defaults = repr((getattr(value, "__defaults__", None), getattr(value, "__kwdefaults__", None)))
            parts[f"{name}.{attribute}"] = [id(value), id(getattr(value, "__code__", None)), hash(defaults)]
    return parts


# Modules and classes whose functions the checks and the tests call on results.
LIBRARY_NAMESPACES = ("numpy", "numpy.testing", "numpy.linalg", "math", "torch", "torch.nn.functional",
                      "torch.distributions", "scipy.stats", "scipy.special", "pyro.distributions")
LIBRARY_CLASSES = (("torch", "Tensor"), ("numpy", "ndarray"))
_LIBRARY_ROOTS: list[str] = []


def _library_roots() -> tuple[str, ...]:
    if not _LIBRARY_ROOTS:
        import os
        import sysconfig

        paths = sysconfig.get_paths()
        _LIBRARY_ROOTS.extend(sorted({os.path.realpath(paths[k]) + os.sep for k in ("stdlib", "purelib", "platlib")}))
    return tuple(_LIBRARY_ROOTS)


def _foreign(value) -> bool:
    """A callable that no installed library defined: a notebook's function, a partial, a methodcaller.

    Cython functions (scipy's, for one) carry a made-up relative file name and cannot be made
    from a notebook; every other function must come from a file under the library folders.
    Code compiled from a string (``<string>``, a relative name) counts as the notebook's.
    """
    import functools
    import operator
    import os

    if isinstance(value, (functools.partial, operator.methodcaller, operator.attrgetter, operator.itemgetter)):
        return True
    function = getattr(value, "__func__", value)
    if "cython" in type(function).__name__.lower():
        return False
    code = getattr(function, "__code__", None)
    if code is None:
        return False  # a builtin or C function: only an interpreter's own code makes those
    filename = code.co_filename
    return not os.path.isabs(filename) or not os.path.realpath(filename).startswith(_library_roots())


def replaced_library_functions() -> list[str]:
    """Functions of the libraries the checks and tests use that student code replaced.

    Looked at whenever a module is loaded, so a module imported (and patched) after the
    first cell is covered as well as one imported before it.
    """
    found = []
    spaces = [(name, vars(sys.modules[name])) for name in LIBRARY_NAMESPACES if name in sys.modules]
    spaces += [(f"{m}.{c}", vars(getattr(sys.modules[m], c))) for m, c in LIBRARY_CLASSES if m in sys.modules]
    for prefix, space in spaces:
        for attribute, value in list(space.items()):
            if callable(value) and not isinstance(value, type) and _foreign(value):
                found.append(f"{prefix}.{attribute}")
    return sorted(found)


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
    parts["library"] = replaced_library_functions()
    return json.dumps(parts, sort_keys=True)


LIBRARY_CALLBACKS = ("matplotlib", "matplotlib_inline", "ipykernel", "IPython", "ipywidgets")


def _library_callback(callback) -> bool:
    """A callback a library registers itself (pyplot's redraw, ``%matplotlib inline``, ``%autoreload``).

    It must be a function of one of those packages, defined in the package's installed files
    and bound under its name in its module, or a method of a class that is: an honest habit,
    not something student code made (a lambda, a ``partial``, an ``operator.methodcaller``, a
    function of a cell).
    """
    import importlib.util
    import os

    function = getattr(callback, "__func__", callback)
    code = getattr(function, "__code__", None)
    owner = getattr(callback, "__self__", None)
    if owner is not None:  # a bound method: its class must be the library's, and the method its own
        cls = type(owner)
        module = cls.__module__ or ""
        home = sys.modules.get(module)
        genuine = getattr(home, cls.__qualname__, None) is cls and \
            cls.__dict__.get(getattr(function, "__name__", "")) is function
    else:
        module = getattr(function, "__module__", None) or ""
        home = sys.modules.get(module)
        bound = getattr(home, getattr(function, "__name__", ""), None)
        genuine = getattr(bound, "__func__", bound) is function
    top = module.split(".")[0]
    if not genuine or top not in LIBRARY_CALLBACKS or code is None:
        return False
    spec = importlib.util.find_spec(top)
    folder = os.path.dirname(spec.origin) if spec and spec.origin else None
    return bool(folder) and code.co_filename.startswith(folder + os.sep)


def record(names: list[str]) -> str:
    """Keep what a locked cell bound; JSON {name: identity} for the grader."""
    namespace = get_ipython().user_ns
    kept = {}
    for name in names:
        if name in namespace:
            _locked[name] = namespace[name]
            kept[name] = id(namespace[name])
            copy = _copy_of_data(namespace[name])
            if copy is not None:
                _pristine[name] = copy
            else:
                _pristine.pop(name, None)
    return json.dumps(kept)


def _copy_of_data(value):
    """A copy of an array or tensor (so that changing it in place cannot change what tests see)."""
    kind = type(value).__module__.split(".")[0]
    try:
        if kind == "torch" and hasattr(value, "detach") and value.numel() * value.element_size() <= SNAPSHOT_BYTES:
            return value.detach().clone().requires_grad_(value.requires_grad)
        small = getattr(value, "nbytes", SNAPSHOT_BYTES + 1) <= SNAPSHOT_BYTES
        if kind == "numpy" and hasattr(value, "copy") and small:
            return value.copy()
    except Exception:  # an exotic tensor: identity only
        return None
    return None


def _fresh(name: str):
    """What a test sees under a read-only name: a new copy of the data as the cell left it, or the object."""
    if name in _pristine:
        copy = _copy_of_data(_pristine[name])
        if copy is not None:
            return copy
    return _locked[name]


def enter_test(expected: dict[str, int], shadowing: list[str]) -> str:
    """Run the next cell (a test) in a namespace of its own; "" or what is wrong.

    The test's namespace is a copy of the student's, with what earlier tests bound and what
    the read-only cells bound put back on top, and without student globals that shadow a
    builtin the test reads. The student's own functions keep their own globals, so they see
    their own names; nothing the test binds reaches the student's namespace, and nothing the
    student's code writes to its globals (``global expected``) reaches the test's.
    """
    shell = get_ipython()
    wrong = [name for name, identity in expected.items() if id(_locked.get(name, _MISSING)) != identity]
    if wrong:
        return "the objects the read-only cells bound were replaced: " + ", ".join(sorted(wrong))
    namespace = dict(shell.user_ns)
    for name in shadowing:
        if name in namespace and name not in expected and hasattr(builtins, name):
            del namespace[name]
    namespace.update(_tests_own)
    namespace.update({name: _fresh(name) for name in expected})
    module = types.ModuleType(getattr(shell.user_module, "__name__", "__main__"))
    module.__dict__.update(namespace)
    _student[:] = [shell.user_module, shell.user_ns, dict(module.__dict__)]
    shell.user_module, shell.user_ns = module, module.__dict__
    _hiding[0] = True
    return ""


def _source_key(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def leave_test(source_key: str) -> str:
    """Give the student's namespace back, keep what the test bound for later tests, forget its source."""
    _hiding[0] = False
    shell = get_ipython()
    if _student:
        user_module, user_ns, before = _student
        for name, value in shell.user_ns.items():
            if before.get(name, _MISSING) is not value:
                _tests_own[name] = value
        shell.user_module, shell.user_ns = user_module, user_ns
        _student.clear()
    for cache in (linecache.cache, getattr(linecache, "_ipython_cache", {})):
        for name, entry in list(cache.items()):
            try:
                if _source_key("".join(entry[2])) == source_key:
                    del cache[name]
            except Exception:  # an entry of another shape: not a cell
                continue
    return ""
