"""Which names a cell binds at module level, and which builtins it reads, found from its source.

``BoundedExecute`` uses them to keep what the read-only cells bound (``check_close``,
``EPS``, the data) under those names while a test runs, and to take student globals
that shadow a builtin out of a test's way.
"""
from __future__ import annotations

import ast
import builtins


def parse_cell(source: str) -> ast.Module | None:
    """A cell's syntax tree, IPython magics (``%time``) turned into Python first; None if it does not parse.

    Never raises for what a student wrote: code nested too deep for the parser (RecursionError,
    MemoryError) counts as not parsing. CPython 3.11 before 3.11.8 can also raise
    ``SystemError: AST constructor recursion depth mismatch`` on the parse after such an error
    (gh-106905), which would fail the next, innocent submission: that parse is tried again.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        code = TransformerManager().transform_cell(source)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    for attempt in range(2):
        try:
            return ast.parse(code)
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            return None
        except SystemError as error:
            if "recursion depth mismatch" not in str(error) or attempt:
                return None
    return None


def _stored(target: ast.AST) -> list[str]:
    return [node.id for node in ast.walk(target) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)]


def _bound(statements: list[ast.stmt]) -> list[str]:
    names: list[str] = []
    for node in statements:
        if isinstance(node, ast.Import):
            names += [alias.asname or alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names += [alias.asname or alias.name for alias in node.names if alias.name != "*"]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names += _stored(target)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            names += _stored(node.target)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            names += _stored(node.target) + _bound(node.body) + _bound(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            names += [n for item in node.items if item.optional_vars for n in _stored(item.optional_vars)]
            names += _bound(node.body)
        elif isinstance(node, (ast.If, ast.While)):
            names += _bound(node.body) + _bound(node.orelse)
        elif isinstance(node, ast.Try):
            names += _bound(node.body) + _bound(node.orelse) + _bound(node.finalbody)
            for handler in node.handlers:
                names += ([handler.name] if handler.name else []) + _bound(handler.body)
    return names


def bound_names(source: str) -> list[str]:
    """Names the cell binds in the notebook's namespace, in order, without repeats."""
    tree = parse_cell(source)
    return list(dict.fromkeys(_bound(tree.body))) if tree else []


def builtins_read(source: str) -> list[str]:
    """Builtin names the cell reads (anywhere in it) and does not bind itself."""
    tree = parse_cell(source)
    if tree is None:
        return []
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return sorted((read & set(dir(builtins))) - set(_bound(tree.body)))
