"""Write ``tests/variants/<assignment>/full_aliases_of_test_names.py`` from the masters.

The variant is the reference solution with every name any test cell of the assignment
binds (its helpers, loop variables, inputs) bound by the student at module level as an
import alias, and checked inside every graded function: a test cell that rebinds one of
them in the student's namespace makes the function raise, and the variant loses points.
``tests/test_variant_files.py`` fails when a master's tests use a name the committed file
does not bind; run ``.venv/bin/python tests/make_alias_variants.py`` then.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from dgmcourse.instructor import notebooks as nb  # noqa: E402
from dgmcourse.instructor.cell_names import TEST_CELL_FUNCTION, bound_names  # noqa: E402

VARIANT = "full_aliases_of_test_names.py"
IPYTHON_NAMES = re.compile(r"^(_+|_i+|_i\d+|_\d+|_oh|_ih|_dh|In|Out|__\w+__)$")
MODULES = ("import math as {}", "import torch as {}", "import numpy as {}", "from torch import nn as {}",
           "from torch import distributions as {}")

PREFERRED = {"_t": "import torch as {}", "_m": "import math as {}", "_n": "import numpy as {}",
             "_np": "import numpy as {}", "_d": "from torch import distributions as {}"}


def names_in(source: str) -> set[str]:
    """Every name a cell binds anywhere: module level, function locals, arguments, imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
    return found


def names_the_tests_use(master: dict) -> list[str]:
    """Names the test cells use for their own purposes, less what the notebook itself binds."""
    used, notebook_binds = set(), set()
    for cell in master["cells"]:
        if cell.get("cell_type") != "code":
            continue
        if nb.is_test(cell):
            used |= names_in(nb.source(cell))
        else:
            notebook_binds |= set(bound_names(nb.source(cell)))
    return sorted(n for n in used - notebook_binds if not IPYTHON_NAMES.match(n) and n != TEST_CELL_FUNCTION)


def with_checks(code: str) -> str:
    """The cell's code with ``_aliases_intact()`` first in each top-level function's body."""
    lines = code.splitlines()
    inserts = []
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            first = body[0]
            is_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                and isinstance(first.value.value, str)
            anchor = body[1] if is_doc and len(body) > 1 else first
            if is_doc and len(body) == 1:
                inserts.append((first.end_lineno, first.col_offset))
            else:
                inserts.append((anchor.lineno - 1, anchor.col_offset))
    for line, indent in sorted(inserts, reverse=True):
        lines.insert(line, " " * indent + "_aliases_intact()")
    return "\n".join(lines) + "\n"


def reference_code(cell: dict) -> str:
    return "\n".join(line for line in nb.source(cell).splitlines()
                     if line.strip() not in (nb.BEGIN_SOLUTION, nb.END_SOLUTION))


def variant_text(master: dict) -> str:
    names = names_the_tests_use(master)
    solutions = [cell for cell in master["cells"] if nb.is_solution(cell) and cell.get("cell_type") == "code"]
    alias_block = [PREFERRED.get(name, MODULES[i % len(MODULES)]).format(name) for i, name in enumerate(names)]
    alias_block.append("_ALIASED = {" + ", ".join(f"{n!r}: {n}" for n in names) + "}")
    pairs = ", ".join(f"({n!r}, {n})" for n in names)
    alias_block += ["", "", "def _aliases_intact():",
                    f"    rebound = [name for name, now in ({pairs}) if now is not _ALIASED[name]]",
                    "    assert not rebound, f\"a test cell rebound the student's names {rebound}\"", "", ""]
    header = ["# The reference solution, with every name the test cells use bound by the student as a module-level",
              "# import alias and checked inside every graded function: tests must leave the student's names alone.",
              "# Written by tests/make_alias_variants.py from the master; run it again when the tests' names change.",
              "# kind: namespace",
              "# replaces: " + " ".join(nb.grade_id(c) for c in solutions)]
    parts = ["\n".join(header)]
    for index, cell in enumerate(solutions):
        code = with_checks(reference_code(cell))
        if index == 0:
            code = "\n".join(alias_block) + "\n" + code
        parts.append(f"# %% {nb.grade_id(cell)}\n{code}")
    return "\n".join(parts)


def main() -> None:
    for folder in sorted((REPO / "source").iterdir()):
        masters = nb.notebooks_in(folder) if folder.is_dir() else []
        if len(masters) != 1 or not (REPO / "tests" / "variants" / folder.name).is_dir():
            continue
        target = REPO / "tests" / "variants" / folder.name / VARIANT
        target.write_text(variant_text(nb.load(masters[0])))
        print(f"wrote {target.relative_to(REPO)}")


if __name__ == "__main__":
    main()
