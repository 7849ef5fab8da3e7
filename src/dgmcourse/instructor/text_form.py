"""Masters as text: each ``source/<assignment>/<name>.ipynb`` paired with ``<name>.py``.

A master is JSON edited by hand; a change to one hidden test shows in ``git diff`` as
escaped strings in a list of lines. Its text form (jupytext's percent format) holds every
cell, one ``# %%`` line each with the cell's metadata (the nbgrader grade id, points, lock),
so a review reads code as code.

**The text form is the one that is edited and reviewed; the notebook is made from it**
(``dgmcourse sync``). After editing a master in Jupyter instead, ``dgmcourse sync
--from-notebooks`` writes the text forms from the notebooks. ``dgmcourse release`` refuses
to run while a pair disagrees, and so does the test suite, naming the file and the first
cell that differs. Cell ids are derived from the cells (the grade id, or the position) so
that making a notebook from unchanged text changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dgmcourse.instructor import notebooks as nb

FORMAT = "py:percent"
TEXT_SUFFIX = ".py"


def text_path(notebook: Path) -> Path:
    return notebook.with_suffix(TEXT_SUFFIX)


def _with_stable_ids(notebook: dict) -> dict:
    for index, cell in enumerate(notebook.get("cells", [])):
        cell["id"] = nb.grade_id(cell) or f"cell-{index}"
    return notebook


def to_text(notebook: dict) -> str:
    import json

    import jupytext
    import nbformat

    node = nbformat.reads(json.dumps(notebook), as_version=4)  # sources as strings, as jupytext reads them
    for cell in node.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return jupytext.writes(node, fmt=FORMAT)


def from_text(text: str) -> dict:
    """The notebook a text form describes: no outputs, the kernelspec of its header, stable cell ids."""
    import jupytext

    node = jupytext.reads(text, fmt=FORMAT)
    notebook = {"cells": [], "metadata": {k: v for k, v in node.metadata.items() if k != "jupytext"},
                "nbformat": 4, "nbformat_minor": 5}
    for cell in node.cells:
        entry = {"cell_type": cell.cell_type, "metadata": dict(cell.metadata), "source": cell.source}
        if cell.cell_type == "code":
            entry.update(execution_count=None, outputs=[])
        notebook["cells"].append(entry)
    return _with_stable_ids(notebook)


def comparable(notebook: dict) -> list[tuple]:
    """What must agree between the two forms: each cell's type, source and metadata."""
    return [(c.get("cell_type"), nb.source(c), dict(c.get("metadata", {}))) for c in notebook.get("cells", [])]


def first_difference(notebook: dict, text: str) -> str | None:
    """Where the notebook and its text form disagree (a cell number and what differs), or None."""
    made = comparable(from_text(text))
    have = comparable(notebook)
    for index, (a, b) in enumerate(zip(have, made)):
        for what, x, y in (("type", a[0], b[0]), ("source", a[1], b[1]), ("metadata", a[2], b[2])):
            if x != y:
                grade = a[2].get("nbgrader", {}).get("grade_id")
                return f"cell {index + 1}{f' ({grade})' if grade else ''} differs in its {what}"
    if len(have) != len(made):
        return f"the notebook has {len(have)} cells, the text form {len(made)}"
    if {k: v for k, v in notebook.get("metadata", {}).items() if k != "language_info"} != \
            from_text(text)["metadata"]:
        return "the notebook's metadata (kernelspec) differs"
    return None


@dataclass
class PairProblem:
    notebook: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.notebook}: {self.problem}"


def out_of_sync(masters: list[Path]) -> list[PairProblem]:
    problems = []
    for notebook in masters:
        text = text_path(notebook)
        if not text.is_file():
            problems.append(PairProblem(notebook, f"has no text form {text.name}"))
            continue
        difference = first_difference(nb.load(notebook), text.read_text(encoding="utf-8"))
        if difference:
            problems.append(PairProblem(notebook, f"and {text.name} disagree: {difference}"))
    return problems


def notebook_file_text(notebook: dict) -> str:
    """The notebook as Jupyter writes it (nbformat's layout), so opening and saving it changes nothing."""
    import nbformat

    return nbformat.writes(nbformat.from_dict(notebook)) + "\n"


def sync(masters: list[Path], *, from_notebooks: bool = False) -> list[Path]:
    """Make each pair agree: notebooks from text forms (or, ``from_notebooks``, text forms from the
    notebooks, then the notebooks from those); the files written."""
    written = []
    for notebook in masters:
        text = text_path(notebook)
        if from_notebooks or not text.is_file():
            wanted = to_text(nb.load(notebook))
            if not text.is_file() or text.read_text(encoding="utf-8") != wanted:
                text.write_text(wanted, encoding="utf-8")
                written.append(text)
        made = notebook_file_text(from_text(text.read_text(encoding="utf-8")))
        if not notebook.is_file() or notebook.read_text(encoding="utf-8") != made:
            notebook.write_text(made, encoding="utf-8")
            written.append(notebook)
    return written
