"""Keep hidden tests out of the tracebacks shown in feedback.

``ClearHiddenTests`` removes the hidden region from a test cell's source, but the
error output still holds IPython's traceback, which quotes the failing line and its
neighbours from that very region. This preprocessor runs first in feedback
generation and replaces every traceback line that quotes a hidden-test line. The
assertion message itself is kept: hidden tests are written to explain the failure.
"""
from __future__ import annotations

import re

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.leak_scan import TRIVIAL, normalise

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
REDACTED = "      (a line of a hidden test)"


class HiddenTestsInTracebacks(NbGraderPreprocessor):

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict,
                        cell_index: int) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
            return cell, resources
        text = nb.source(cell)
        hidden = {normalise(line) for region in nb.regions(text, "hidden")[0]
                  for line in text.splitlines()[region.begin:region.end + 1]} - TRIVIAL
        if not hidden:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [self._redact(entry, hidden) for entry in output.get("traceback", [])]
        return cell, resources

    @staticmethod
    def _redact(entry: str, hidden: set[str]) -> str:
        lines = []
        for line in entry.split("\n"):
            plain = normalise(ANSI.sub("", line))
            lines.append(REDACTED if any(secret in plain for secret in hidden) else line)
        return "\n".join(lines)
