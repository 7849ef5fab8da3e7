"""Keep stderr from zeroing a test cell.

``nbgrader.utils.determine_grade`` scores a test cell 0 as soon as the cell wrote
anything to stderr, even when every assertion passed. Correct student code does that
all the time: a ``UserWarning`` from torch, a tqdm progress bar, a logging line.
This preprocessor runs after execution and before grades are saved, and relabels
the stderr stream of test cells as stdout, text unchanged, so the student and the
instructor still see it in the feedback. Failure is signalled by an exception
(an ``error`` output), which is left alone.
"""
from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


class StderrInTestsIsNotFailure(NbGraderPreprocessor):

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict,
                        cell_index: int) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        return cell, resources
