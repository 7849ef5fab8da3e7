"""Finds solution or hidden-test lines that would reach students.

A line counts as leaked when it stands in the student version and, in the master,
only inside a solution or hidden-test region. Lines that the master also shows
outside those regions (an import, a ``return``) are public anyway.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dgmcourse.instructor import notebooks as nb

# Lines too generic to be evidence of a leak on their own.
TRIVIAL = {"", "pass", "return", "else:", "try:", "finally:", ")", "]", "}", "):", "continue", "break"}


@dataclass(frozen=True)
class Leak:
    released: Path
    cell: int
    line: str

    def __str__(self) -> str:
        return f"{self.released}: cell {self.cell + 1} shows {self.line!r}, which the master keeps secret"


def normalise(line: str) -> str:
    return " ".join(line.split())


def secret_and_public_lines(master: dict) -> tuple[set[str], set[str]]:
    secret, public = set(), set()
    for cell in master.get("cells", []):
        text = nb.source(cell)
        hidden = {normalise(line) for line in nb.secret_lines(text)}
        secret |= hidden
        inside = set()
        for kind in nb.MARKERS:
            for region in nb.regions(text, kind)[0]:
                inside.update(range(region.begin, region.end + 1))
        public |= {normalise(line) for i, line in enumerate(text.splitlines()) if i not in inside}
    return secret - public - TRIVIAL, public


def find_leaks(master_path: Path, released_path: Path) -> list[Leak]:
    master, released = nb.load(master_path), nb.load(released_path)
    secret, _ = secret_and_public_lines(master)
    markers = {nb.BEGIN_SOLUTION, nb.END_SOLUTION, nb.BEGIN_HIDDEN, nb.END_HIDDEN}
    leaks = []
    for index, cell in enumerate(released.get("cells", [])):
        for line in nb.source(cell).splitlines():
            normal = normalise(line)
            if normal in secret or normal in markers:
                leaks.append(Leak(released_path, index, line.strip()))
    return leaks
