"""Naming a student's mistake: the wrong variants as a catalogue of misconceptions.

Each ``tests/variants/<assignment>/lose_*.py`` that stands for a real misconception carries
a student-facing explanation in its header (``# tells: ...``). For the tasks its probe file
covers (``source/<assignment>/diagnosis_probes.py``, see ``probe_outputs.py``), the grader
knows what the reference and each catalogued variant return on the probe inputs: the
*catalogue*, built once per run by the coordinator in a process of its own (trusted code
only: masters, variants, probes).

At grading, for each task that lost points, the student's own function is run on the same
probes in the student's kernel, in the sandbox (``BoundedExecute``), and ``name_mistake``
compares: the mistake is named when the student's outputs agree with exactly one catalogued
variant on every probe and differ from the reference; otherwise nothing is said.

Run as ``python -m dgmcourse.instructor.misconceptions COURSE ASSIGNMENT``, it prints the
outputs of the reference and of every variant (lose_ and full_) as JSON: what the
catalogue and the precision checks (``precision``) are made from.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor import variants as variant_files
from dgmcourse.instructor.probe_outputs import agree, load_probes, outputs_of

PROBES_FILE = "diagnosis_probes.py"
BUILD_TIMEOUT = 600
# Calls a definition-only namespace may make at module level: building constants, never running a task.
CONSTANT_CALL_ROOTS = {"torch", "np", "numpy", "math", "nn", "F", "dist", "pdist", "distrs", "float", "int",
                       "range", "tuple", "list", "dict", "len", "functools"}


class CatalogueError(RuntimeError):
    """The catalogue could not be built; the message says what to fix."""


def variants_dir(course_root: Path, assignment: str) -> Path:
    return Path(course_root) / "tests" / "variants" / assignment


def probes_path(course_root: Path, assignment: str) -> Path:
    return Path(course_root) / "source" / assignment / PROBES_FILE


# --- what runs on the trusted side ------------------------------------------------------------
def _constant_call(node: ast.AST) -> bool:
    """A call rooted in an allowed module or builtin (``torch.tensor(...)``, ``float(...)``)."""
    func = node.func
    while isinstance(func, (ast.Attribute, ast.Call)):
        func = func.value if isinstance(func, ast.Attribute) else func.func
    return isinstance(func, ast.Name) and func.id in CONSTANT_CALL_ROOTS


def definitions(code: str) -> list[str]:
    """The statements of a cell that define things: imports, functions, classes, constants.

    Everything that runs a task (a training loop, a plot, a check) is left out, so building
    a namespace costs milliseconds. A statement that fails when run is skipped by the caller.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    kept = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kept.append(ast.get_source_segment(code, node, padded=True))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            calls = [n for n in ast.walk(node.value) if isinstance(n, ast.Call)] if node.value else []
            if all(isinstance(t, ast.Name) for t in targets) and all(_constant_call(c) for c in calls):
                kept.append(ast.get_source_segment(code, node, padded=True))
    return [text for text in kept if text]


def namespace(cells: list[tuple[str, str]], replacements: dict[str, str] | None = None) -> dict:
    """The definitions of a notebook's code cells, in order, with some solution cells replaced."""
    names: dict = {"__name__": "__main__"}
    for gid, code in cells:
        code = (replacements or {}).get(gid, code)
        for statement in definitions(code):
            try:
                exec(compile(statement, f"<cell {gid}>", "exec"), names)
            except Exception:  # a constant that needs what a definition-only namespace lacks
                continue
    return names


def master_cells(master: dict) -> list[tuple[str, str]]:
    """(grade id or position, code) of every code cell but the tests, solutions as a perfect student writes them."""
    cells = []
    for index, cell in enumerate(master.get("cells", [])):
        if cell.get("cell_type") != "code" or nb.is_test(cell):
            continue
        cells.append((nb.grade_id(cell) or f"cell-{index}", nb.without_markers(nb.source(cell))))
    return cells


def probed_tasks(probes: dict) -> list[str]:
    return [name.removeprefix("probe_") for name, value in probes.items()
            if name.startswith("probe_") and callable(value)]


def outputs_table(course_root: Path, assignment: str) -> dict:
    """What the reference and every variant return on the probes: {"reference": {task: sig},
    "variants": {name: {"task", "outputs"}}}. Runs masters, variants and probes: trusted code only."""
    import random

    import numpy as np
    import torch

    source = probes_path(course_root, assignment).read_text(encoding="utf-8")
    probes = load_probes(source)
    tasks = probed_tasks(probes)
    masters = nb.notebooks_in(Path(course_root) / "source" / assignment)
    cells = [cell for path in masters for cell in master_cells(nb.load(path))]

    def run(replacements: dict[str, str] | None, only: list[str]) -> dict:
        random.seed(0)
        np.random.seed(0)
        torch.manual_seed(0)
        names = namespace(cells, replacements)
        return {task: outputs_of(probes, task, names) for task in only}

    table = {"reference": run(None, tasks), "variants": {}}
    folder = variants_dir(course_root, assignment)
    for variant in (variant_files.load(folder) if folder.is_dir() else []):
        task = _task_of_variant(variant)
        if task in tasks:
            table["variants"][variant.name] = {"task": task, "outputs": run(variant.cells, [task])[task]}
    return table


def _task_of_variant(variant) -> str | None:
    """The one task whose solution cells a variant replaces (None when it spans several)."""
    found = {nb.task_of(gid) for gid in variant.cells}
    return found.pop() if len(found) == 1 else None


# --- the catalogue (coordinator) ---------------------------------------------------------------
@dataclass
class Catalogue:
    """Per probed task: its tests, the reference's outputs, and each catalogued mistake's outputs."""
    probes: str = ""
    tasks: dict = field(default_factory=dict)  # task -> {"tests", "function", "reference", "mistakes": [...]}
    not_probed: dict = field(default_factory=dict)  # task -> why it is left out

    def to_json(self) -> dict:
        return {"probes": self.probes, "tasks": self.tasks, "not_probed": self.not_probed}


def catalogue_sources(course_root: Path, assignment: str) -> list[Path]:
    """The files a catalogue is made from (its cache key)."""
    folder = variants_dir(course_root, assignment)
    return ([probes_path(course_root, assignment)] + nb.notebooks_in(Path(course_root) / "source" / assignment)
            + (sorted(folder.glob("*.py")) if folder.is_dir() else []))


def _digest(paths: list[Path]) -> str:
    from dgmcourse.instructor.grading_task import code_fingerprint

    digest = hashlib.sha256(code_fingerprint().encode())
    for path in paths:
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def compute_outputs(course_root: Path, assignment: str) -> dict:
    """``outputs_table`` run in a process of its own (its torch state, seeds and threads stay there)."""
    return _computed_outputs(str(Path(course_root).resolve()), assignment,
                             _digest(catalogue_sources(course_root, assignment)))


@functools.lru_cache(maxsize=16)
def _computed_outputs(course_root: str, assignment: str, _digest: str) -> dict:
    from dgmcourse.student.reproducibility import SEED_ENV, SIZE_ENV

    env = dict(os.environ)
    env.update({SEED_ENV: "0", SIZE_ENV: "grading", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    try:
        done = subprocess.run([sys.executable, "-m", "dgmcourse.instructor.misconceptions", course_root, assignment],
                              capture_output=True, text=True, env=env, timeout=BUILD_TIMEOUT, stdin=subprocess.DEVNULL,
                              cwd=course_root)
    except subprocess.TimeoutExpired:
        raise CatalogueError(f"the probes of {assignment} ran longer than {BUILD_TIMEOUT} s") from None
    if done.returncode != 0:
        raise CatalogueError(f"the probes of {assignment} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def build(course_root: Path, assignment: str) -> Catalogue | None:
    """The assignment's catalogue, or None when it has no probe file."""
    if not probes_path(course_root, assignment).is_file():
        return None
    source = probes_path(course_root, assignment).read_text(encoding="utf-8")
    probes = load_probes(source)
    table = compute_outputs(course_root, assignment)
    folder = variants_dir(course_root, assignment)
    catalogued = {v.name: v for v in (variant_files.load(folder) if folder.is_dir() else []) if teachable(v)}
    tests: dict[str, list[str]] = {}
    for path in nb.notebooks_in(Path(course_root) / "source" / assignment):
        for cell in nb.load(path).get("cells", []):
            if nb.is_test(cell):
                tests.setdefault(nb.task_of(nb.grade_id(cell)), []).append(nb.grade_id(cell))
    functions = probes.get("TASK_FUNCTIONS", {})
    catalogue = Catalogue(source, {}, dict(probes.get("NOT_PROBED", {})))
    uses = task_dependencies(course_root, assignment, list(catalogued.values()))
    for task, reference in table["reference"].items():
        mistakes = [{"name": name, "tells": catalogued[name].tells, "outputs": row["outputs"]}
                    for name, row in table["variants"].items() if name in catalogued and row["task"] == task
                    and recognisable(row["outputs"], reference)]
        catalogue.tasks[task] = {"tests": tests.get(task, []), "function": functions.get(task, ""),
                                 "reference": reference, "mistakes": mistakes, "uses": sorted(uses.get(task, ()))}
    return catalogue


def task_dependencies(course_root: Path, assignment: str, catalogued: list) -> dict[str, set[str]]:
    """task -> the other tasks whose answers its answer uses (transitively), in the reference or a mistake.

    ``neg_elbo`` calls the student's ``kl_to_standard_normal``: a student whose KL has the wrong sign and whose
    negative ELBO is right has a negative ELBO that behaves exactly like "minus the KL". When a task it uses
    lost points too, a task's mistake is not named: its behaviour may be the other task's mistake.
    """
    bound: dict[str, set[str]] = {}
    reads: dict[str, set[str]] = {}
    for path in nb.notebooks_in(Path(course_root) / "source" / assignment):
        for cell in nb.load(path).get("cells", []):
            if nb.is_solution(cell) and nb.grade_id(cell):
                task = nb.task_of(nb.grade_id(cell))
                names, read = variant_files.names_in(nb.without_markers(nb.source(cell)))
                bound.setdefault(task, set()).update(names)
                reads.setdefault(task, set()).update(read - names)
    for variant in catalogued:
        task = _task_of_variant(variant)
        for code in variant.cells.values():
            names, read = variant_files.names_in(code)
            reads.setdefault(task, set()).update(read - names)
    direct = {task: {other for other, names in bound.items() if other != task and names & read}
              for task, read in reads.items()}
    closed = {}
    for task in direct:
        seen, todo = set(), list(direct[task])
        while todo:
            other = todo.pop()
            if other not in seen and other != task:
                seen.add(other)
                todo.extend(direct.get(other, ()))
        closed[task] = seen
    return closed


def tells_by_mistake(course_root: Path, assignments: list[str]) -> dict[tuple[str, str], str]:
    """(assignment, mistake) -> its explanation, for the class summary."""
    found = {}
    for assignment in assignments:
        folder = variants_dir(course_root, assignment)
        try:
            loaded = variant_files.load(folder) if folder.is_dir() else []
        except variant_files.VariantError:
            continue  # `dgmcourse variants` names the broken file
        for variant in loaded:
            if teachable(variant):
                found[assignment, variant.name.removeprefix("lose_")] = variant.tells
    return found


def teachable(variant) -> bool:
    """A lose_ variant with a ``tells`` explanation, replacing the cells of one task."""
    return variant.must_lose and bool(variant.tells) and _task_of_variant(variant) is not None


def informative(signature) -> bool:
    """Whether an outcome holds anything but exceptions: a mistake seen only as errors is never named."""
    if not isinstance(signature, dict):
        return False
    kind = signature.get("kind")
    if kind == "raised":
        return False
    if kind == "sequence":
        return any(informative(item) for item in signature.get("items", []))
    if kind == "mapping":
        return any(informative(item) for item in signature.get("items", {}).values())
    return True


def recognisable(outputs, reference) -> bool:
    """A mistake can be named only if its outputs show something and differ from the reference's."""
    return informative(outputs) and not agree(outputs, reference)


def name_mistake(entry: dict, student) -> dict | None:
    """The one catalogued mistake the student's outputs agree with, or None (precision first)."""
    if not informative(student) or agree(student, entry.get("reference")):
        return None
    matches = [m for m in entry.get("mistakes", []) if agree(student, m.get("outputs"))]
    return matches[0] if len(matches) == 1 else None


# --- tells: what may be said -----------------------------------------------------------------
def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)


def tells_problems(variant, masters: list[dict]) -> list[str]:
    """Why a variant's ``tells`` would give away the solution or the hidden tests; [] when it does not.

    Refused: a line (12 characters or more) of a solution or hidden-test region, a code span
    (between backticks) found in one, or a bracketed list of numbers from a hidden test.
    """
    if not variant.tells:
        return []
    said = _normalised(variant.tells)
    secret_lines, hidden_text = [], ""
    for master in masters:
        for cell in master.get("cells", []):
            text = nb.source(cell)
            secret_lines.extend(nb.secret_lines(text))
            lines = text.splitlines()
            for region in nb.regions(text, "hidden")[0]:
                hidden_text += "\n".join(lines[region.begin + 1:region.end]) + "\n"
    secret = _normalised("\n".join(secret_lines))
    problems = []
    for line in secret_lines:
        core = _normalised(line.split("#", 1)[0])
        if len(core) >= 12 and core in said:
            problems.append(f"it quotes the line {line.strip()!r}")
    for span in re.findall(r"`([^`]+)`", variant.tells):
        core = _normalised(span)
        if len(core) >= 12 and core in secret:
            problems.append(f"its code `{span}` is taken from a solution or hidden test")
    for numbers_ in re.findall(r"\[[-0-9.,\s]+\]", variant.tells):
        core = _normalised(numbers_)
        if "," in core and core in _normalised(hidden_text):
            problems.append(f"it gives the hidden tests' input {numbers_}")
    return [f"{variant.path}: tells: {p}; say what the mistake is and which idea to revisit, in words"
            for p in problems]


def tells_leaks(course_root: Path, assignment: str) -> list[str]:
    """``tells_problems`` of every variant of the assignment, against its masters."""
    masters = [nb.load(p) for p in nb.notebooks_in(Path(course_root) / "source" / assignment)]
    folder = variants_dir(course_root, assignment)
    return [p for v in (variant_files.load(folder) if folder.is_dir() else []) for p in tells_problems(v, masters)]


if __name__ == "__main__":
    print(json.dumps(outputs_table(Path(sys.argv[1]), sys.argv[2]), allow_nan=True))


# --- precision: what the catalogue would say of every variant -------------------------------
@dataclass
class Precision:
    """The catalogue judged on the variants themselves (``dgmcourse misconceptions``)."""
    assignment: str
    catalogued: list[str] = field(default_factory=list)     # lose_ variants with tells, in a probed task
    wrong_variants: int = 0                                  # every lose_ variant
    named_as_itself: list[str] = field(default_factory=list)
    not_named: dict[str, str] = field(default_factory=dict)  # catalogued variant -> why the probes miss it
    false_diagnoses: list[str] = field(default_factory=list)  # full_ variant -> the mistake it was told
    wrong_diagnoses: list[str] = field(default_factory=list)  # lose_ variant told another's mistake
    collisions: list[str] = field(default_factory=list)       # two mistakes the probes cannot tell apart
    reference_problems: list[str] = field(default_factory=list)
    probed_tasks: list[str] = field(default_factory=list)
    not_probed: dict[str, str] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return len(self.named_as_itself) / self.wrong_variants if self.wrong_variants else 0.0

    @property
    def problems(self) -> list[str]:
        return (self.reference_problems + [f"not named: {k}: {v}" for k, v in self.not_named.items()]
                + [f"false diagnosis: {x}" for x in self.false_diagnoses]
                + [f"wrong diagnosis: {x}" for x in self.wrong_diagnoses]
                + [f"collision: {x}" for x in self.collisions])


def _raised_names(signature) -> list[str]:
    if not isinstance(signature, dict):
        return []
    if signature.get("kind") == "raised":
        return [signature.get("name", "")]
    items = signature.get("items", [])
    items = items.values() if isinstance(items, dict) else items
    return [name for item in items for name in _raised_names(item)]


def precision(course_root: Path, assignment: str) -> Precision:
    """Every full_ variant told nothing; every catalogued one named as itself with the whole catalogue and,
    left out of it, told nothing or a mistake whose outputs coincide; every other lose_ variant told
    nothing or a coinciding mistake."""
    report = Precision(assignment)
    folder = variants_dir(course_root, assignment)
    loaded = variant_files.load(folder) if folder.is_dir() else []
    report.wrong_variants = sum(1 for v in loaded if v.must_lose)
    catalogue = build(course_root, assignment)
    if catalogue is None:
        return report
    report.probed_tasks, report.not_probed = sorted(catalogue.tasks), dict(catalogue.not_probed)
    table = compute_outputs(course_root, assignment)
    for task, reference in table["reference"].items():
        raised = _raised_names(reference)
        if raised or not informative(reference):
            report.reference_problems.append(f"the reference of {task} raised {', '.join(raised) or 'only'} on "
                                             "its probes: fix the probe (or the names it reads)")
    by_name = {v.name: v for v in loaded}
    for name, row in sorted(table["variants"].items()):
        entry = catalogue.tasks.get(row["task"])
        if entry is None:
            continue
        variant = by_name[name]
        told = name_mistake(entry, row["outputs"])
        if not variant.must_lose:
            if told is not None:
                report.false_diagnoses.append(f"{name} was told {told['name']}")
            continue
        if teachable(variant):
            report.catalogued.append(name)
            if told is not None and told["name"] == name:
                report.named_as_itself.append(name)
            elif agree(row["outputs"], entry["reference"]):
                report.not_named[name] = "its outputs on the probes equal the reference's: add a probe that shows it"
            elif not informative(row["outputs"]):
                report.not_named[name] = "it raises on every probe"
            else:
                twins = [m["name"] for m in entry["mistakes"]
                         if m["name"] != name and agree(m["outputs"], row["outputs"])]
                report.not_named[name] = f"the probes cannot tell it from {', '.join(twins)}"
            others = dict(entry, mistakes=[m for m in entry["mistakes"] if m["name"] != name])
            told = name_mistake(others, row["outputs"])
            if told is not None:
                report.collisions.append(f"{name} and {told['name']} agree on every probe")
        elif told is not None:  # a mistake it may not have made: the probes cannot tell the two apart
            report.wrong_diagnoses.append(f"{name} (no tells) would be told {told['name']}")
    return report
