"""Reading nbgrader notebooks: cell roles, grade ids, marker regions.

Everything else in the instructor package goes through these helpers, so the rules
for "what is a test cell" or "where does a solution region start" live in one place.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
TASK_SEPARATOR = "__"


def load(path: Path) -> dict:
    """Parse a notebook as plain JSON (no validation: the callers report problems themselves)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def save(notebook: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        # The same layout Jupyter and nbformat write (sorted keys, indent 1), so saving
        # a notebook here and opening it in Jupyter produce no diff.
        json.dump(notebook, handle, indent=1, sort_keys=True, ensure_ascii=False)
        handle.write("\n")


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def set_source(cell: dict, text: str) -> None:
    cell["source"] = text.splitlines(keepends=True)


def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell: dict) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_solution(cell: dict) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_test(cell: dict) -> bool:
    """An autograded test cell: graded, not a solution, code."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def points(cell: dict) -> float:
    return float(nbgrader_meta(cell).get("points") or 0)


def task_of(cell_grade_id: str) -> str:
    """``w1_cdf__gradient`` belongs to task ``w1_cdf``; a grade id without ``__`` is its own task."""
    return cell_grade_id.split(TASK_SEPARATOR, 1)[0]


def clear_outputs(notebook: dict) -> dict:
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return notebook


def has_outputs(notebook: dict) -> bool:
    return any(cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count"))
               for cell in notebook.get("cells", []))


@dataclass(frozen=True)
class Region:
    """Lines strictly between a BEGIN and an END marker (0-based line numbers in the cell)."""
    kind: str  # "solution" or "hidden"
    begin: int
    end: int


MARKERS = {"solution": (BEGIN_SOLUTION, END_SOLUTION), "hidden": (BEGIN_HIDDEN, END_HIDDEN)}
ALL_MARKERS = {BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN}


def marker_lines(text: str, marker: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines()) if line.strip() == marker]


def regions(text: str, kind: str) -> tuple[list[Region], list[str]]:
    """Pair BEGIN/END markers of one kind; return the regions and a list of pairing problems."""
    begin_marker, end_marker = MARKERS[kind]
    found, problems, open_at = [], [], None
    for i, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if stripped == begin_marker:
            if open_at is not None:
                problems.append(f"'{begin_marker}' on line {i + 1} opens a region while the one on line "
                                f"{open_at + 1} is still open")
            open_at = i
        elif stripped == end_marker:
            if open_at is None:
                problems.append(f"'{end_marker}' on line {i + 1} has no matching '{begin_marker}'")
            else:
                found.append(Region(kind, open_at, i))
                open_at = None
        elif stripped not in ALL_MARKERS and re.search(r"#+\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)", stripped):
            problems.append(f"line {i + 1} looks like a marker but is not exactly one: {stripped!r}")
    if open_at is not None:
        problems.append(f"'{begin_marker}' on line {open_at + 1} is never closed by '{end_marker}'")
    return found, problems


def secret_lines(text: str) -> list[str]:
    """The lines of a cell inside solution or hidden-test regions (markers excluded)."""
    lines = text.splitlines()
    secret = []
    for kind in MARKERS:
        for region in regions(text, kind)[0]:
            secret.extend(lines[region.begin + 1:region.end])
    return secret


def without_markers(text: str) -> str:
    """A master cell as a perfect student would submit it: the solution kept, marker lines dropped.

    Hidden-test regions are dropped too, since students never see them.
    """
    lines = text.splitlines()
    hidden = set()
    for region in regions(text, "hidden")[0]:
        hidden.update(range(region.begin, region.end + 1))
    kept = [line for i, line in enumerate(lines)
            if i not in hidden and line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)]
    return "\n".join(kept)


def notebooks_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.ipynb") if not p.name.startswith("."))
