"""A static look at the code a student wrote, for ways to fake a grade.

Finds code that changes how tests run (IPython transformers, hooks, event callbacks,
traceback machinery), monkeypatches builtins or checking modules, defines objects that
compare equal to anything, walks the interpreter's frames to read the tests, or reaches
into the interpreter or the grader process. Only cells a student can write are scanned:
solution cells and cells without nbgrader metadata; locked cells are restored by nbgrader.

Names are resolved through the imports the notebook actually makes: ``checks[k] = v``
on a dict named ``checks`` is nothing, ``c.check_close = f`` after
``from dgmcourse.student import checks as c`` is tampering.

Each finding has a severity:

- ``zero``: the test cells it can affect score 0 (the task's own tests for a suspicious
  class, every later test for changes to the environment);
- ``review``: the scan cannot tell (a name bound both to a guarded module and to
  something else, code run from strings); the points are kept and the submission is
  marked for review.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.cell_names import parse_cell

ZERO, REVIEW = "zero", "review"

IPYTHON_INTERNALS = {"input_transformers_cleanup", "input_transformers_post", "ast_transformers",
                     "set_custom_exc", "custom_exceptions", "register_transformer", "input_transformer_manager",
                     # event callbacks and the machinery that turns an exception into a failed cell
                     "events", "register_post_execute", "showtraceback", "_showtraceback", "showsyntaxerror",
                     "InteractiveTB", "SyntaxTB", "CustomTB", "display_pub", "displayhook", "run_cell",
                     "run_cell_async", "run_ast_nodes", "run_code", "history_manager", "set_hook"}
# Modules whose attributes a student may not replace: the checks, what they are built on, and
# the machinery that runs tests.
GUARDED_MODULES = ("builtins", "numpy.testing", "dgmcourse", "unittest", "pytest", "operator", "math",
                   "IPython", "ipykernel", "linecache", "inspect", "traceback", "torch.testing")
GUARDED_SYS = {"sys.excepthook", "sys.displayhook", "sys.modules", "sys.meta_path", "sys.path_hooks",
               "sys.settrace", "sys.setprofile", "sys.audit", "sys.addaudithook"}
# Dunders that can make a value pass a comparison it should fail, or intercept the numpy/torch
# operations the checks run on it. Arithmetic dunders (__sub__, __abs__, __float__, ...) are not
# here: the course's checks convert a result to float (or a float array) before comparing.
FAKING_METHODS = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__array_ufunc__",
                  "__array_function__", "__torch_function__", "__torch_dispatch__", "__instancecheck__",
                  "__subclasscheck__"}
INTERPRETER_CALLS = {"ctypes", "logging.currentframe", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
                     "sys._getframe",
                     "sys._current_frames", "inspect.currentframe", "inspect.stack", "inspect.trace",
                     "inspect.getouterframes", "inspect.getinnerframes", "inspect.getframeinfo",
                     "traceback.extract_stack", "traceback.walk_stack", "traceback.walk_tb", "traceback.format_stack",
                     "traceback.print_stack", "os.kill", "os.killpg", "signal.signal", "sys.settrace",
                     "sys.setprofile", "threading.settrace", "threading.setprofile", "os._exit",
                     "sys.displayhook", "sys.addaudithook"}
# Attributes that lead from a function or an exception to the caller's frame, its code and globals.
# __globals__ of a function a test passes in is the tests' own namespace.
FRAME_ATTRIBUTES = {"f_back", "f_globals", "f_locals", "f_code", "f_builtins", "tb_frame", "tb_next", "gi_frame",
                    "cr_frame", "ag_frame", "co_consts", "co_names", "__globals__", "__closure__"}
# IPython settings of how results are displayed: a test scores by whether it raised, so they are harmless.
DISPLAY_SETTINGS = {"ast_node_interactivity", "figure_format", "figure_formats", "print_figure_kwargs", "rc",
                    "close_figures", "colors", "pprint", "precision"}
# IPython's record of what ran: test cells would be readable there.
HISTORY_NAMES = re.compile(r"^(In|Out|_ih|_oh|_dh|_i|_ii|_iii|_i\d+|_\d+)$")
RUNS_STRINGS = {"exec", "eval", "compile", "__import__", "importlib.import_module"}


@dataclass(frozen=True)
class Finding:
    cell_index: int
    grade_id: str | None
    reason: str
    scope: str  # "task" or "later"
    severity: str = ZERO


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    return ".".join(reversed(parts))


@dataclass
class Bindings:
    """What each top-level name can mean: the modules imports bind it to, and whether anything else binds it."""
    modules: dict[str, set[str]]
    other: set[str]

    def resolve(self, dotted: str) -> tuple[list[str], bool]:
        """Full dotted names ``dotted`` can stand for, and whether the head is also bound to something else."""
        head, _, rest = dotted.partition(".")
        if head in ("__builtins__", "builtins") and head not in self.modules:
            return ["builtins" + ("." + rest if rest else "")], False
        targets = self.modules.get(head, set())
        full = [module + ("." + rest if rest else "") for module in sorted(targets)]
        return full, bool(targets) and head in self.other


def bindings_of(trees: list[ast.AST]) -> Bindings:
    modules: dict[str, set[str]] = {}
    other: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        modules.setdefault(alias.asname, set()).add(alias.name)
                    else:
                        head = alias.name.split(".")[0]
                        modules.setdefault(head, set()).add(head)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    modules.setdefault(alias.asname or alias.name, set()).add(f"{node.module}.{alias.name}")
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                other.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                other.add(node.name)
            elif isinstance(node, ast.arg):
                other.add(node.arg)
    return Bindings(modules, other)


def _literal_attribute(node: ast.AST) -> str | None:
    """The attribute name of ``x.name`` or of ``getattr/setattr/delattr/hasattr(x, "name", ...)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id in ("getattr", "setattr", "delattr", "hasattr") and len(node.args) >= 2 and \
            isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
        return node.args[1].value
    return None


def _guarded(full: str) -> bool:
    return full in GUARDED_SYS or any(full == m or full.startswith(m + ".") for m in GUARDED_MODULES)


def _replaces(dotted: str, bindings: Bindings, how: str) -> tuple[str, str] | None:
    """(reason, severity) when assigning to ``dotted`` replaces part of a guarded module."""
    if dotted.split(".")[-1] in DISPLAY_SETTINGS:
        return None
    full, ambiguous = bindings.resolve(dotted)
    hit = next((name for name in full if _guarded(name)), None)
    if hit is None:
        return None
    if ambiguous:
        head = dotted.split(".")[0]
        modules = " or ".join(sorted(bindings.modules.get(head, {head})))
        return (f"assigns {dotted}{how}, where {head} may be the module {modules} "
                "or a variable of the same name", REVIEW)
    return f"replaces part of {hit}{how}", ZERO


def scan_cell(text: str, bindings: Bindings | None = None) -> list[tuple[str, str, str]]:
    """(reason, scope, severity) for everything suspicious in one cell."""
    tree = parse_cell(text)
    if tree is None:
        return []
    bindings = bindings or bindings_of([tree])
    found: list[tuple[str, str, str]] = []

    def add(reason: str, scope: str = "later", severity: str = ZERO) -> None:
        if (reason, scope, severity) not in found:
            found.append((reason, scope, severity))

    def resolved_call(node: ast.Call) -> str:
        called = _dotted(node.func)
        full, _ = bindings.resolve(called)
        return full[0] if full else called

    for node in ast.walk(tree):
        literal = _literal_attribute(node)  # getattr(x, "f_back") is x.f_back
        if literal in IPYTHON_INTERNALS:
            add(f"changes IPython's handling of cells ({literal})")
        elif literal in FRAME_ATTRIBUTES:
            add(f"walks the interpreter's frames or code objects ({literal}), which can read the tests")
        elif literal in ("__kwdefaults__", "__defaults__", "__code__"):
            add(f"reads or changes a function's {literal}, which can loosen the checks", "later", REVIEW)
        if isinstance(node, ast.Attribute) and node.attr in IPYTHON_INTERNALS:
            add(f"changes IPython's handling of cells ({node.attr})")
        elif isinstance(node, ast.Attribute) and node.attr in FRAME_ATTRIBUTES:
            add(f"walks the interpreter's frames or code objects ({node.attr}), which can read the tests")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and HISTORY_NAMES.match(node.id) \
                and node.id not in bindings.other:
            add(f"reads IPython's input history ({node.id}), where the tests would be")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete, ast.AnnAssign)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    verdict = _replaces(_dotted(target), bindings, "")
                    if verdict:
                        add(*(verdict[0], "later", verdict[1]))
        elif isinstance(node, ast.Call):
            called = resolved_call(node)
            if called in ("setattr", "delattr") and node.args:
                verdict = _replaces(_dotted(node.args[0]), bindings, f" with {called}")
                if verdict:
                    add(verdict[0], "later", verdict[1])
            elif called in INTERPRETER_CALLS or called.split(".")[0] == "ctypes":
                add(f"calls {called}, which can reach into the interpreter, the tests or the grader")
            elif called.split(".")[0] == "linecache":
                add(f"calls {called}, which reads the source of running cells (the tests too)")
            elif called in RUNS_STRINGS and node.args and not isinstance(node.args[0], ast.Constant):
                add(f"runs code built at run time ({called}), which this scan cannot read", "later", REVIEW)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            if any(name and name.split(".")[0] == "ctypes" for name in names):
                add("imports ctypes")
        elif isinstance(node, ast.ClassDef):
            methods = {f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
            methods |= {t.id for f in node.body if isinstance(f, ast.Assign) for t in f.targets
                        if isinstance(t, ast.Name)}
            if methods & FAKING_METHODS:
                add(f"defines class {node.name} with {', '.join(sorted(methods & FAKING_METHODS))}, "
                    "which can make a wrong answer compare equal", "task")
    return found


def _student_cells(notebook: dict):
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        meta = nb.nbgrader_meta(cell)
        if meta and not meta.get("solution"):
            continue  # locked and test cells are overwritten by nbgrader
        yield index, cell, meta


def scan(notebook: dict, student_version: dict | None = None) -> list[Finding]:
    """Findings in the student's cells; names resolve through the imports of the whole notebook.

    ``student_version`` supplies the locked cells as released (a submission's copies of them
    are replaced at grading), so that a name the course imports resolves to its module.
    """
    trees = [t for _, cell, _ in _student_cells(notebook) if (t := parse_cell(nb.source(cell))) is not None]
    for cell in (student_version or notebook).get("cells", []):
        meta = nb.nbgrader_meta(cell)
        if cell.get("cell_type") == "code" and meta and not meta.get("solution") and not meta.get("grade"):
            tree = parse_cell(nb.source(cell))
            if tree is not None:
                trees.append(tree)
    bindings = bindings_of(trees)
    findings = []
    for index, cell, meta in _student_cells(notebook):
        for reason, scope, severity in scan_cell(nb.source(cell), bindings):
            findings.append(Finding(index, meta.get("grade_id"), reason, scope, severity))
    return findings


def _where(finding: Finding) -> str:
    return f"cell {finding.cell_index + 1}" + (f" ({finding.grade_id})" if finding.grade_id else "")


def blocked_tests(notebook: dict, findings: list[Finding]) -> dict[str, str]:
    """Test cell grade id -> why it is failed without running (findings of severity ``zero``)."""
    blocked: dict[str, str] = {}
    cells = notebook.get("cells", [])
    for finding in findings:
        if finding.severity != ZERO:
            continue
        reason = f"tampering detected: {_where(finding)} {finding.reason}"
        task = nb.task_of(finding.grade_id) if finding.grade_id else None
        for index, cell in enumerate(cells):
            gid = nb.grade_id(cell)
            if not gid or not nb.is_test(cell) or index < finding.cell_index:
                continue
            # A class in a cell of no task could reach any later test.
            if finding.scope == "later" or (task and nb.task_of(gid) == task) or not task:
                blocked.setdefault(gid, reason)
    return blocked


def review_notes(findings: list[Finding]) -> list[str]:
    """What an instructor should look at in a submission whose points were kept."""
    return [f"{_where(f)} {f.reason}" for f in findings if f.severity == REVIEW]
