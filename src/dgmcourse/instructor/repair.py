"""Repair a submitted notebook before nbgrader sees it, or say why it cannot be graded.

nbgrader either crashes on these inputs or grades them wrongly: unparsable or empty
files, nbformat 3 or 5, cells without ids (nbformat < 4.5), a duplicated grade id
(aborts the whole batch: nbgrader issues #1083 and #1933), deleted graded cells
(``add_missing_cells`` fails when the cell before the missing one was deleted too),
and a notebook from another assignment. The submitted file is never modified: the
repaired copy goes to the grading stage folder.
"""
from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field

import nbformat

from dgmcourse.instructor import notebooks as nb


@dataclass
class Repaired:
    notebook: dict | None
    invalid: str | None = None
    notes: list[str] = field(default_factory=list)


def _role(cell: dict) -> str:
    meta = nb.nbgrader_meta(cell)
    return "solution" if meta.get("solution") else "test" if meta.get("grade") else "locked"


# A notebook is regraded from its source: outputs are dropped, so what is left is text a
# student wrote. Far above any honest notebook, far below what stalls nbconvert.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_SOURCE_BYTES = 8 * 1024 * 1024


def _parse(raw: bytes, name: str) -> tuple[dict | None, str | None]:
    if not raw.strip():
        return None, f"{name} is empty ({len(raw)} bytes)"
    if len(raw) > MAX_FILE_BYTES:
        return None, (f"{name} is {len(raw) / 2**20:.0f} MiB; a submitted notebook may be at most "
                      f"{MAX_FILE_BYTES // 2**20} MiB (clear its outputs and submit again)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, f"{name} is not UTF-8 text"
    except json.JSONDecodeError as error:
        return None, f"{name} is not valid notebook JSON ({error.msg} at line {error.lineno}, column {error.colno})"
    except (RecursionError, ValueError) as error:
        return None, f"{name} is not valid notebook JSON ({type(error).__name__})"
    if not isinstance(data, dict):
        return None, f"{name} is JSON but not a notebook (a {type(data).__name__} at the top level)"
    version = data.get("nbformat")
    if version != 4:
        hint = " (an old Jupyter format; open and save it in a current Jupyter)" if version == 3 else ""
        return None, f"{name} is nbformat {version!r}{hint}; only nbformat 4 notebooks can be graded"
    if not isinstance(data.get("cells"), list):
        return None, f"{name} has no list of cells"
    return data, None


def _normalise_cells(notebook: dict, notes: list[str]) -> None:
    cells, seen_ids = [], set()
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            notes.append(f"dropped cell {index + 1}, which is not a notebook cell")
            continue
        cell.setdefault("metadata", {})
        if not isinstance(cell["metadata"], dict):
            cell["metadata"] = {}
        text = cell.get("source", "")
        cell["source"] = "".join(map(str, text)) if isinstance(text, list) else str(text)
        grading = cell["metadata"].get("nbgrader")
        if grading is not None and not (isinstance(grading, dict) and isinstance(grading.get("grade_id", ""), str)):
            del cell["metadata"]["nbgrader"]
            notes.append(f"cell {index + 1} had nbgrader metadata of the wrong shape; it is graded as an ordinary cell")
        if cell["cell_type"] == "code":
            cell["outputs"] = []  # grading runs the notebook again; stored outputs are never read
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        cell_id = cell.get("id")
        if not isinstance(cell_id, str) or not cell_id or cell_id in seen_ids or len(cell_id) > 64:
            cell["id"] = uuid.uuid4().hex[:12]
        seen_ids.add(cell["id"])
        cells.append(cell)
    notebook["cells"] = cells
    minor = notebook.get("nbformat_minor", 0)
    if not isinstance(minor, int) or not 0 <= minor <= 5:
        notes.append(f"nbformat_minor {str(minor)[:20]!r} is not one of 4.0-4.5; read as 4.5")
        notebook["nbformat_minor"] = 5
    elif minor < 5:
        notes.append(f"upgraded from nbformat 4.{minor} to 4.5 (cell ids)")
        notebook["nbformat_minor"] = 5
    notebook.setdefault("metadata", {})


def _deduplicate(notebook: dict, expected_roles: dict[str, str], notes: list[str]) -> None:
    kept: dict[str, int] = {}
    for index, cell in enumerate(notebook["cells"]):
        gid = nb.grade_id(cell)
        if not gid:
            if "nbgrader" in cell["metadata"]:
                del cell["metadata"]["nbgrader"]
            continue
        if gid not in kept:
            kept[gid] = index
            continue
        first = notebook["cells"][kept[gid]]
        if _role(first) != expected_roles.get(gid) and _role(cell) == expected_roles.get(gid):
            del first["metadata"]["nbgrader"]
            kept[gid] = index
            notes.append(f"grade id {gid!r} appeared twice; cell {index + 1} was kept as the graded one")
        else:
            del cell["metadata"]["nbgrader"]
            notes.append(f"grade id {gid!r} appeared twice; the copy in cell {index + 1} is graded as an ordinary cell")


def _restore_missing(notebook: dict, released: dict, notes: list[str]) -> None:
    present = {nb.grade_id(c) for c in notebook["cells"] if nb.grade_id(c)}
    position = -1  # index in the submission of the last released graded cell seen
    for cell in released["cells"]:
        gid = nb.grade_id(cell)
        if not gid:
            continue
        if gid in present:
            position = next(i for i, c in enumerate(notebook["cells"]) if nb.grade_id(c) == gid)
            continue
        restored = copy.deepcopy(cell)
        restored["source"] = nb.source(restored)
        restored["id"] = uuid.uuid4().hex[:12]
        position += 1
        notebook["cells"].insert(position, restored)
        notes.append(f"restored the deleted cell {gid!r} from the student version")


def repair(raw: bytes, name: str, released: dict) -> Repaired:
    """A gradable copy of one submitted notebook, given the student version it must match.

    Never raises for anything the file contains: what cannot be repaired is ``invalid``.
    """
    try:
        return _repair(raw, name, released)
    except Exception as error:  # a shape no rule above foresaw: refuse it, never crash the batch
        return Repaired(None, f"{name} could not be read as a notebook ({type(error).__name__}: "
                              f"{str(error)[:200]})")


def _repair(raw: bytes, name: str, released: dict) -> Repaired:
    notebook, problem = _parse(raw, name)
    if problem:
        return Repaired(None, problem)
    notes: list[str] = []
    _normalise_cells(notebook, notes)
    expected_roles = {nb.grade_id(c): _role(c) for c in released["cells"] if nb.grade_id(c)}
    _deduplicate(notebook, expected_roles, notes)
    present = {nb.grade_id(c) for c in notebook["cells"]} & set(expected_roles)
    if expected_roles and len(present) * 3 < len(expected_roles):
        return Repaired(None, f"{name} does not look like this assignment's notebook: only {len(present)} of its "
                              f"{len(expected_roles)} graded cells are there", notes)
    _restore_missing(notebook, released, notes)
    try:
        nbformat.validate(nbformat.from_dict(notebook))
    except nbformat.ValidationError as error:
        return Repaired(None, f"{name} is not a valid notebook after repair: {str(error).splitlines()[0]}", notes)
    # Encoding as the notebook will be saved raises on lone surrogates: repair() turns that into invalid.
    size = len(json.dumps(notebook, ensure_ascii=False).encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        return Repaired(None, f"{name} holds {size / 2**20:.1f} MiB of cells without outputs; the limit is "
                              f"{MAX_SOURCE_BYTES // 2**20} MiB", notes)
    return Repaired(notebook, None, notes)
