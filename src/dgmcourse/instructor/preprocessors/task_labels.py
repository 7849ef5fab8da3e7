"""Name the task of every graded cell in the feedback.

nbgrader's feedback lists "Test cell (Score: 0 / 2)" and shows grade ids: a student
cannot tell which task lost the points. Each answer and test cell gets the title of the
section it belongs to (the last markdown heading above it, without its "(N points)"),
in ``cell.metadata.dgmcourse.task_label``; the course's feedback template
(``templates/dgmcourse_feedback``) shows it in the summary and on each cell. The template
escapes it: a student can edit a heading.
"""
from __future__ import annotations

import re

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from dgmcourse.instructor.notebooks import task_of

HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
POINTS = re.compile(r"\s*\(\s*\d+(\.\d+)?\s*points?\s*\)\s*$", re.I)


def heading_of(markdown: str) -> str | None:
    """The last heading of a markdown cell, without a trailing "(N points)"; None if it has none."""
    titles = [m.group("title") for m in map(HEADING.match, markdown.splitlines()) if m]
    return POINTS.sub("", titles[-1]).strip() if titles else None


class TaskLabels(NbGraderPreprocessor):

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        section = None
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                section = heading_of(cell.source) or section
            if utils.is_grade(cell) or utils.is_solution(cell):
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                label = section or f"Task {task_of(grade_id)}"
                cell.metadata["dgmcourse"] = {"task_label": label, "task": task_of(grade_id)}
        return nb, resources
