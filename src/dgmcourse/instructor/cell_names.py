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


TEST_CELL_FUNCTION = "__test_cell__"
# Calls that reach the notebook's namespace without naming what they bind.
NAMESPACE_CALLS = frozenset({"globals", "exec", "eval", "get_ipython", "__import__"})


class _ModuleScope(ast.NodeVisitor):
    """Everything a cell does to its module's namespace: names bound or deleted, and indirect reaches.

    Function and class bodies, lambdas and comprehensions have scopes of their own and bind
    nothing at module level, except through ``global`` and the walrus in a comprehension;
    their decorators, defaults, base classes and first iterables run in the module's scope.
    """

    def __init__(self) -> None:
        self.bound: list[tuple[str, int]] = []
        self.indirect: list[tuple[str, int]] = []
        self._depth = 0  # > 0 inside a function, class or lambda body

    def _bind(self, name: str, node: ast.AST) -> None:
        if self._depth == 0:
            self.bound.append((name, getattr(node, "lineno", 0)))

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._bind(node.id, node)
        elif node.id in NAMESPACE_CALLS or node.id == "__main__":
            self.indirect.append((node.id, node.lineno))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in ("modules", "user_ns", "user_module", "f_globals", "__globals__"):
            self.indirect.append((f".{node.attr}", node.lineno))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if node.value == "__main__":
            self.indirect.append(("'__main__'", node.lineno))

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "vars" and not node.args:
            self.indirect.append(("vars()", node.lineno))
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.indirect.extend((f"global {name}", node.lineno) for name in node.names)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._bind(alias.asname or alias.name.split(".")[0], node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            self._bind(alias.asname or alias.name, node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name, node)
        self.generic_visit(node)

    def visit_MatchAs(self, node) -> None:
        if node.name:
            self._bind(node.name, node)
        self.generic_visit(node)

    def visit_MatchStar(self, node) -> None:
        if node.name:
            self._bind(node.name, node)

    def visit_MatchMapping(self, node) -> None:
        if node.rest:
            self._bind(node.rest, node)
        self.generic_visit(node)

    def _scope(self, node: ast.AST, outside: list, inside: list) -> None:
        for child in outside:
            self.visit(child)
        self._depth += 1
        for child in inside:
            self.visit(child)
        self._depth -= 1

    def visit_FunctionDef(self, node) -> None:
        self._bind(node.name, node)
        arguments = node.args
        self._scope(node, [*node.decorator_list, *arguments.defaults, *filter(None, arguments.kw_defaults)],
                    [*node.body])

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind(node.name, node)
        self._scope(node, [*node.decorator_list, *node.bases, *node.keywords], [*node.body])

    def visit_Lambda(self, node: ast.Lambda) -> None:
        arguments = node.args
        self._scope(node, [*arguments.defaults, *filter(None, arguments.kw_defaults)], [node.body])

    def _comprehension(self, node) -> None:
        # The first iterable runs in the enclosing scope; targets are the comprehension's own,
        # but a walrus inside binds in the enclosing scope (PEP 572).
        first, *rest = node.generators
        self.visit(first.iter)
        for walrus in (n for n in ast.walk(node) if isinstance(n, ast.NamedExpr)):
            self._bind(walrus.target.id, walrus)
        self._depth += 1
        for generator in node.generators:
            for child in [generator.target, *([] if generator is first else [generator.iter]), *generator.ifs]:
                self.visit(child)
        for child in (getattr(node, "elt", None), getattr(node, "key", None), getattr(node, "value", None)):
            if child is not None:
                self.visit(child)
        self._depth -= 1

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._bind(node.target.id, node)
        self.visit(node.value)


def namespace_changes(source: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]] | None:
    """(names the cell binds or deletes at module level, indirect reaches) with line numbers; None: no parse."""
    tree = parse_cell(source)
    if tree is None:
        return None
    scope = _ModuleScope()
    scope.visit(tree)
    return scope.bound, scope.indirect
