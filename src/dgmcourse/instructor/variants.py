"""Variants: plausible wrong answers and alternative right answers, kept as files.

``tests/variants/<assignment>/lose_<what>.py`` must lose the points it declares;
``full_<what>.py`` must keep full marks. A file's code replaces one solution cell
of the reference solution. Its header declares what it tests::

    # Passes the probabilities to scipy as if they were samples.
    # replaces: w1_scipy__solution
    # loses: w1_scipy__tests
    # demo: partial-student

``loses`` lists the test cells that must score 0; every other test cell must keep
full marks. ``demo: partial-student`` puts the variant into the demo's partly
wrong student. ``kind:`` names what the variant probes, for the variant report
(``dgmcourse variants``): ``namespace`` (names the tests must not touch),
``contract-freedom`` (a correct answer in a direction the contract leaves free),
``contract-requirement`` (a requirement the contract states), ``procedure`` (a
prescribed procedure done otherwise), ``pitfall`` (the mistake the prose warns of),
``style`` (a correct answer in an unusual style); without it, ``outcome``.
``caught: visible`` (lose_ variants only) says that the visible checks of its own task
catch it too (at least one test cell of the task it replaces fails before its hidden
tests run), so the student learns of the mistake while working, not only from the
grade; the harness reads that from the graded output (``variant_grading``).
Every task keeps at least one such variant of kind ``pitfall``.
``tells:`` (lose_ variants only) explains the misconception to a student whose answer
behaves like this variant (``misconceptions.py``); a variant that is no real
misconception (a stub, a constant) has none.

A variant may replace several solution cells: list them all after ``replaces:`` and
start each cell's code with a line ``# %% <grade id>``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dgmcourse.instructor.notebooks import task_of

HEADER_KEY = re.compile(r"^#\s*(replaces|loses|demo|kind|tells|caught)\s*:\s*(.*?)\s*$")
CAUGHT = ("visible", "hidden")
CELL_LINE = re.compile(r"^# %% ([A-Za-z0-9_-]+)\s*$", re.MULTILINE)
KINDS = ("outcome", "namespace", "contract-freedom", "contract-requirement", "procedure", "pitfall", "style")


class VariantError(ValueError):
    """A variant file is malformed; the message names the file and the fix."""


@dataclass(frozen=True)
class Variant:
    path: Path
    description: str
    replaces: str
    loses: frozenset[str]
    demo_roles: frozenset[str]
    code: str
    cells: dict[str, str]  # every solution cell it replaces -> its code
    kind: str = "outcome"
    tells: str = ""  # the misconception, explained to the student (misconceptions.py); "" if not teachable
    caught_by_visible_checks: bool = False  # `# caught: visible`: a visible check of its own task fails too

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def must_lose(self) -> bool:
        return self.name.startswith("lose_")


def parse(path: Path) -> Variant:
    text = path.read_text(encoding="utf-8")
    if not (path.name.startswith("lose_") or path.name.startswith("full_")):
        raise VariantError(f"{path}: variant files are named lose_<what>.py or full_<what>.py")
    fields: dict[str, str] = {}
    description = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = HEADER_KEY.match(line)
        if match and match.group(1) == "tells" and "tells" in fields:  # a long explanation goes on several lines
            fields["tells"] += " " + match.group(2)
        elif match:
            fields[match.group(1)] = match.group(2)
        elif not description:
            description = line.lstrip("# ").strip()
    if "replaces" not in fields:
        raise VariantError(f"{path}: header needs '# replaces: <grade id of a solution cell>'")
    loses = frozenset(fields.get("loses", "").split())
    if path.name.startswith("lose_") and not loses:
        raise VariantError(f"{path}: a lose_ variant must declare '# loses: <test cell grade ids>'")
    if path.name.startswith("full_") and loses:
        raise VariantError(f"{path}: a full_ variant keeps full marks and cannot declare 'loses'")
    kind = fields.get("kind", "outcome")
    if kind not in KINDS:
        raise VariantError(f"{path}: kind {kind!r} is not one of {', '.join(KINDS)}")
    replaced = fields["replaces"].split()
    if not replaced:
        raise VariantError(f"{path}: header needs '# replaces: <grade id of a solution cell>'")
    if len(replaced) == 1:
        cells = {replaced[0]: text}
    else:
        parts = CELL_LINE.split(text)
        cells = {gid: code.removeprefix("\n") for gid, code in zip(parts[1::2], parts[2::2])}
        if sorted(cells) != sorted(replaced) or len(parts[1::2]) != len(replaced):
            raise VariantError(f"{path}: replaces {' '.join(replaced)}, so it needs one '# %% <grade id>' line "
                               f"before each of those cells' code; found {' '.join(parts[1::2]) or 'none'}")
    tells = fields.get("tells", "")
    if tells and not path.name.startswith("lose_"):
        raise VariantError(f"{path}: only a lose_ variant names a mistake; remove its '# tells:' line")
    caught = fields.get("caught", "hidden")
    if caught not in CAUGHT:
        raise VariantError(f"{path}: caught {caught!r} is not one of {', '.join(CAUGHT)}")
    if caught == "visible" and not path.name.startswith("lose_"):
        raise VariantError(f"{path}: only a lose_ variant is caught; remove its '# caught:' line")
    return Variant(path, description, replaced[0], loses, frozenset(fields.get("demo", "").split()), text,
                   cells, kind, tells, caught == "visible")


def load(directory: Path) -> list[Variant]:
    return [parse(path) for path in sorted(directory.glob("*.py"))]


def validate(variants: list[Variant], solution_ids: set[str], test_ids: set[str]) -> None:
    """Every declared grade id exists; raises with the list of what does not."""
    errors = []
    for variant in variants:
        for gid in variant.cells:
            if gid not in solution_ids:
                errors.append(f"{variant.path}: replaces {gid!r}, which is not a solution cell")
        for gid in sorted(variant.loses - test_ids):
            errors.append(f"{variant.path}: loses {gid!r}, which is not a test cell")
    if errors:
        raise VariantError("\n".join(errors))


def names_in(code: str) -> tuple[set[str], set[str]]:
    """(names a cell's code binds at module level: functions, classes, assignments; names it reads)."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set(), set()
    bound = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound.update(t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name))
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return bound, read


def _names(variant: Variant) -> tuple[set[str], set[str]]:
    bound, read = set(), set()
    for code in variant.cells.values():
        cell_bound, cell_read = names_in(code)
        bound |= cell_bound
        read |= cell_read
    return bound, read


def independent(a: Variant, b: Variant) -> bool:
    """Neither reads a name the other binds: each behaves in a shared submission as it does alone."""
    bound_a, read_a = _names(a)
    bound_b, read_b = _names(b)
    return not (bound_a & read_b) and not (bound_b & read_a)


def _tasks(grade_ids) -> set[str]:
    return {task_of(gid) for gid in grade_ids}


def cascades_into(a: Variant, b: Variant) -> bool:
    """``a`` loses cells of ``b``'s task without replacing that task's code: a loss passed on through the cells
    between them (a schedule mistake that stops a training loss from falling). ``b``'s own mistake in that task
    can undo or change the passed-on loss, so the two are graded apart."""
    return bool((_tasks(a.loses) - _tasks(a.cells)) & _tasks(b.cells))


def batches(variants: list[Variant], max_size: int = 4) -> list[list[Variant]]:
    """Group variants into as few submissions as is safe.

    Two variants share a submission only when they replace different cells, the
    cells they must lose do not overlap, so each loss can still be told apart,
    neither calls what the other defines (``independent``), so each behaves, and is
    named (``misconceptions.py``), as it would alone, and neither passes a loss on
    into the other's task (``cascades_into``); lose_ and full_ variants never share one.
    """
    groups: list[list[Variant]] = []
    for variant in variants:
        for group in groups:
            if (len(group) < max_size and group[0].must_lose == variant.must_lose
                    and all(not (set(v.cells) & set(variant.cells)) and not (v.loses & variant.loses)
                            and independent(v, variant) and not cascades_into(v, variant)
                            and not cascades_into(variant, v) for v in group)):
                group.append(variant)
                break
        else:
            groups.append([variant])
    return groups


def expected_scores(group: list[Variant], max_points: dict[str, float]) -> dict[str, float]:
    """Test cell grade id -> the score the group's submission must get."""
    lost = set().union(*(v.loses for v in group))
    return {gid: (0.0 if gid in lost else full) for gid, full in max_points.items()}
