"""Keep hidden tests out of everything the feedback shows.

``ClearHiddenTests`` removes the hidden region from a test cell's source, but the text of
a hidden test can reach the outputs in other ways: IPython's traceback quotes the failing
line and its neighbours, and student code can read the source of the test that calls it
(from the caller's frame, ``linecache`` or IPython's history) and print it, in that cell or
in any later one, as text, HTML, a ``repr`` or an error message.

This preprocessor runs first in feedback generation. It collects the hidden lines of every
test cell of the notebook and replaces every line of every output of every cell that
quotes one of them (after undoing ``repr`` escapes and HTML entities). The assertion
message of a failing check is kept: hidden tests are written to explain the failure
without quoting their own code, so the strings a check puts in its message (a label, a hint)
are not secret. Encodings (base64, reversed text) are not recognised: the
kernel-side defences keep the text out of the kernel's reach instead (``kernel_guard.py``).
"""
from __future__ import annotations

import html
import re

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.leak_scan import TRIVIAL

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ESCAPES = re.compile(r"\\([\\'\"nrt])")
REDACTED = "      (a line of a hidden test)"
MIN_LENGTH = 8  # shorter lines ("x = 1", ")") say nothing and would match honest output


def _plain(text: str) -> str:
    """Text as it can be compared with a source line: no colours, escapes, entities or spacing."""
    text = html.unescape(ANSI.sub("", text))
    text = ESCAPES.sub(lambda m: " " if m.group(1) in "nrt" else m.group(1), text)
    return "".join(text.split()).replace("'", '"')  # repr may swap the quotes


class HiddenTestsInOutputs(NbGraderPreprocessor):

    def preprocess(self, nb_node: NotebookNode, resources: ResourcesDict):
        self._hidden = set()
        for cell in nb_node.cells:
            if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
                text = nb.source(cell)
                for region in nb.regions(text, "hidden")[0]:
                    for line in text.splitlines()[region.begin + 1:region.end]:
                        plain = _plain(line)
                        if " ".join(line.split()) not in TRIVIAL and len(plain) >= MIN_LENGTH:
                            self._hidden.add(plain)
        return super().preprocess(nb_node, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict,
                        cell_index: int) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type != "code" or not self._hidden:
            return cell, resources
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                output["text"] = self._redact(output.get("text", ""))
            elif kind == "error":
                output["evalue"] = self._redact(str(output.get("evalue", "")))
                output["traceback"] = [self._redact(entry) for entry in output.get("traceback", [])]
            elif kind in ("execute_result", "display_data", "update_display_data"):
                data = output.get("data", {})
                for mimetype, value in list(data.items()):
                    if isinstance(value, list):
                        value = "".join(value)
                    if isinstance(value, str) and not mimetype.startswith("image/"):
                        data[mimetype] = self._redact(value)
                    elif not isinstance(value, str):
                        data[mimetype] = self._redact(repr(value)) if self._leaks(repr(value)) else value
        return cell, resources

    def _leaks(self, text: str) -> bool:
        plain = _plain(text)
        return any(secret in plain for secret in self._hidden)

    def _redact(self, text: str) -> str:
        if not self._leaks(text):
            return text
        return "\n".join(REDACTED if self._leaks(line) else line for line in text.split("\n"))
