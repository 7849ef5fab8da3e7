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


class SyncRefused(Exception):
    """Making one side from the other would throw away edits; the message says which and what to do."""


def _changed_since_commit(path: Path) -> bool | None:
    """Whether git sees ``path`` changed since the last commit (or new); None outside a git checkout."""
    import subprocess

    try:
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent,
                                 capture_output=True, timeout=60)
        if tracked.returncode != 0:
            inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path.parent,
                                    capture_output=True, timeout=60)
            return True if inside.returncode == 0 else None
        changed = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", path.name], cwd=path.parent,
                                 capture_output=True, timeout=60)
        return changed.returncode != 0
    except (OSError, subprocess.SubprocessError):
        return None


def _refuse_to_overwrite(kept: Path, overwritten: Path, other_command: str) -> None:
    if _changed_since_commit(overwritten) and not _changed_since_commit(kept):
        raise SyncRefused(f"{overwritten} was edited since the last commit and {kept.name} was not: making "
                          f"{overwritten.name} from {kept.name} would throw those edits away. Run `{other_command}` "
                          "to keep them, or pass --force to discard them.")
    if _changed_since_commit(overwritten) and _changed_since_commit(kept):
        raise SyncRefused(f"{kept} and {overwritten.name} were both edited since the last commit and disagree: "
                          "bring the edits into one of them by hand, then sync from it (or pass --force).")


def sync(masters: list[Path], *, from_notebooks: bool = False, force: bool = False) -> list[Path]:
    """Make each pair agree: notebooks from text forms (or, ``from_notebooks``, text forms from the
    notebooks, then the notebooks from those); the files written.

    A pair that disagrees is only overwritten from a side that carries the edits: when git says
    the side about to be overwritten was edited since the last commit, ``SyncRefused`` is raised
    (``force`` overrides), so neither an edit in Jupyter nor one in the text form is lost.
    """
    written = []
    for notebook in masters:
        text = text_path(notebook)
        disagree = text.is_file() and first_difference(nb.load(notebook), text.read_text(encoding="utf-8"))
        if disagree and not force:
            if from_notebooks:
                _refuse_to_overwrite(notebook, text, "dgmcourse sync")
            else:
                _refuse_to_overwrite(text, notebook, "dgmcourse sync --from-notebooks")
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
