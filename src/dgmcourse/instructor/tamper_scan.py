"""A static look at the code a student wrote, for ways to fake a grade.

Finds code that changes how tests run (IPython transformers, exception hooks, the
assert machinery), monkeypatches builtins or checking modules, defines objects that
compare equal to anything, or reaches into the interpreter or the grader process.
Only cells a student can write are scanned: solution cells and cells without nbgrader
metadata; locked cells are restored by nbgrader anyway.
Each finding names the cell and blocks the test cells it can affect: the task's own
tests for a suspicious class, every later test for changes to the environment.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from dgmcourse.instructor import notebooks as nb

IPYTHON_INTERNALS = {"input_transformers_cleanup", "input_transformers_post", "ast_transformers",
                     "set_custom_exc", "custom_exceptions", "register_transformer", "input_transformer_manager"}
GUARDED_MODULES = {"builtins", "__builtins__", "testing", "checks", "dgmcourse", "unittest", "pytest", "operator"}
COMPARISON_METHODS = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__float__",
                      "__abs__", "__sub__", "__rsub__", "__array_ufunc__", "__torch_function__"}
INTERPRETER_CALLS = {"ctypes", "gc.get_objects", "gc.get_referrers", "sys._getframe", "inspect.currentframe",
                     "os.kill", "os.killpg", "signal.signal", "sys.settrace", "sys.setprofile", "os._exit"}


@dataclass(frozen=True)
class Finding:
    cell_index: int
    grade_id: str | None
    reason: str
    scope: str  # "task" or "later"


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    return ".".join(reversed(parts))


def _python_of(text: str) -> str:
    """Cell text with IPython magics turned into Python, so that ``%time`` cells parse."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(text)


def scan_cell(text: str) -> list[tuple[str, str]]:
    """(reason, scope) for everything suspicious in one cell."""
    try:
        tree = ast.parse(_python_of(text))
    except SyntaxError:
        return []  # it will fail when run; nothing to fake with
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in IPYTHON_INTERNALS:
            found.append((f"changes IPython's handling of cells ({node.attr})", "later"))
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete, ast.AnnAssign)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                name = _dotted(target.value) if isinstance(target, (ast.Attribute, ast.Subscript)) else ""
                parts = set(name.split("."))
                if parts & GUARDED_MODULES or name in ("sys.excepthook", "sys.modules") or \
                        _dotted(target) in ("sys.excepthook", "sys.displayhook"):
                    found.append((f"replaces part of {name or _dotted(target)}", "later"))
        elif isinstance(node, ast.Call):
            called = _dotted(node.func)
            if called == "setattr" and node.args and set(_dotted(node.args[0]).split(".")) & GUARDED_MODULES:
                found.append((f"replaces part of {_dotted(node.args[0])} with setattr", "later"))
            elif called in INTERPRETER_CALLS or called.split(".")[0] == "ctypes":
                found.append((f"calls {called}, which can reach into the interpreter or the grader", "later"))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            if "ctypes" in names:
                found.append(("imports ctypes", "later"))
        elif isinstance(node, ast.ClassDef):
            methods = {f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
            if methods & COMPARISON_METHODS:
                found.append((f"defines class {node.name} with {', '.join(sorted(methods & COMPARISON_METHODS))}, "
                              "which can make a wrong answer compare equal", "task"))
    return found


def scan(notebook: dict) -> list[Finding]:
    findings = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        meta = nb.nbgrader_meta(cell)
        if meta and not meta.get("solution"):
            continue  # locked and test cells are overwritten by nbgrader
        for reason, scope in scan_cell(nb.source(cell)):
            findings.append(Finding(index, meta.get("grade_id"), reason, scope))
    return findings


def blocked_tests(notebook: dict, findings: list[Finding]) -> dict[str, str]:
    """Test cell grade id -> why it is failed without running."""
    blocked: dict[str, str] = {}
    cells = notebook.get("cells", [])
    for finding in findings:
        where = f"cell {finding.cell_index + 1}" + (f" ({finding.grade_id})" if finding.grade_id else "")
        reason = f"tampering detected: {where} {finding.reason}"
        task = nb.task_of(finding.grade_id) if finding.grade_id else None
        for index, cell in enumerate(cells):
            gid = nb.grade_id(cell)
            if not gid or not nb.is_test(cell) or index < finding.cell_index:
                continue
            if finding.scope == "later" or (task and nb.task_of(gid) == task):
                blocked.setdefault(gid, reason)
    return blocked
