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
    """Ids from the cells themselves: the grade id, else a hash of the type and source (numbered
    when two cells are alike), so inserting a cell renumbers nothing else."""
    import hashlib

    seen: dict[str, int] = {}
    for cell in notebook.get("cells", []):
        grade = nb.grade_id(cell)
        if grade:
            cell["id"] = grade
            continue
        digest = hashlib.sha1(f"{cell.get('cell_type')}\0{nb.source(cell)}".encode()).hexdigest()[:10]
        seen[digest] = seen.get(digest, 0) + 1
        cell["id"] = f"c-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else "")
    return notebook


def _sorted(value):
    """Metadata with its keys in one order, whichever way the notebook was saved."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def to_text(notebook: dict) -> str:
    import json

    import jupytext
    import nbformat

    node = nbformat.reads(json.dumps(notebook), as_version=4)  # sources as strings, as jupytext reads them
    # The header keeps the kernelspec and the digest of the last sync (jupytext drops other keys).
    node.metadata["jupytext"] = {"notebook_metadata_filter": SYNC_KEY}
    for cell in node.cells:
        cell.metadata = nbformat.from_dict(_sorted(dict(cell.metadata)))
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
    ignored = ("language_info", "dgmcourse_sync")
    if {k: v for k, v in notebook.get("metadata", {}).items() if k not in ignored} != \
            {k: v for k, v in from_text(text)["metadata"].items() if k not in ignored}:
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


class SyncRefused(Exception):
    """Making one side from the other would throw away edits; the message says which and what to do."""


SYNC_KEY = "dgmcourse_sync"  # notebook metadata (and so the text form's header): the cells as last synced


def cells_digest(notebook: dict) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(comparable(notebook), sort_keys=True).encode()).hexdigest()[:16]


def _edited_since_sync(notebook: dict) -> bool:
    """Whether these cells differ from the ones recorded at the last sync (False when none is recorded)."""
    recorded = notebook.get("metadata", {}).get(SYNC_KEY, {}).get("cells")
    return bool(recorded) and recorded != cells_digest(notebook)


def _stamped(notebook: dict) -> dict:
    notebook.setdefault("metadata", {})[SYNC_KEY] = {"cells": cells_digest(notebook)}
    return notebook


def sync(masters: list[Path], *, from_notebooks: bool = False, force: bool = False) -> list[Path]:
    """Make each pair agree: notebooks from text forms (or, ``from_notebooks``, text forms from the
    notebooks, then the notebooks from those); the files written.

    Both files record the digest of the cells they had when last synced. A pair that disagrees
    is only overwritten on the side that still has those cells: if the side to be overwritten was
    edited since (in Jupyter, or in an editor), ``SyncRefused`` says which command keeps the
    edits (``force`` discards them). So neither side's edits are lost.
    """
    written = []
    for notebook in masters:
        text = text_path(notebook)
        if text.is_file() and notebook.is_file() and not force:
            current, described = nb.load(notebook), from_text(text.read_text(encoding="utf-8"))
            if comparable(current) != comparable(described):
                nb_edited, text_edited = _edited_since_sync(current), _edited_since_sync(described)
                if nb_edited and text_edited:
                    raise SyncRefused(f"{notebook} and {text.name} were both edited since they were last synced "
                                      "and disagree: bring the edits into one of them by hand, then sync from it "
                                      "(or pass --force).")
                if from_notebooks and text_edited:
                    raise SyncRefused(f"{text} was edited since the last sync and {notebook.name} was not: "
                                      "`dgmcourse sync` keeps those edits; --from-notebooks --force discards them.")
                if not from_notebooks and nb_edited:
                    raise SyncRefused(f"{notebook} was edited (in Jupyter?) since the last sync and {text.name} "
                                      "was not: `dgmcourse sync --from-notebooks` keeps those edits; --force "
                                      "discards them.")
        if from_notebooks or not text.is_file():
            base = from_text(to_text(nb.load(notebook)))  # the notebook, as its text form describes it
        else:
            base = from_text(text.read_text(encoding="utf-8"))
        made = _stamped(base)
        for path, wanted in ((text, to_text(made)), (notebook, notebook_file_text(made))):
            if not path.is_file() or path.read_text(encoding="utf-8") != wanted:
                path.write_text(wanted, encoding="utf-8")
                written.append(path)
    return written
