"""Name the task of every graded cell in the feedback.

nbgrader's feedback lists "Test cell (Score: 0 / 2)" and shows grade ids: a student
cannot tell which task lost the points. Each answer and test cell gets the title of the
section it belongs to in the *master* (the last markdown heading above it, without its
"(N points)"), in ``cell.metadata.dgmcourse.task_label``; the course's feedback template
(``templates/dgmcourse_feedback``) shows it in the summary and on each cell. Headings are
read from the master, never from the submission: a student who adds or edits a heading
must not relabel the graded cells the instructor and the student read. The template
escapes the label all the same.
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


def labels_by_grade_id(notebook: dict) -> dict[str, str]:
    """grade id -> the title of the section it stands in, for every answer and test cell."""
    labels, section = {}, None
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "markdown":
            section = heading_of(source) or section
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if grading.get("grade_id") and (grading.get("grade") or grading.get("solution")):
            labels[grading["grade_id"]] = section or f"Task {task_of(grading['grade_id'])}"
    return labels


def label_skeleton(master: dict) -> dict:
    """The part of a master the labels come from: its headings and its graded cells' metadata, no code.

    A grading task carries this in place of the master (``grading_task.py``): the worker names
    the tasks as the master does and never holds a solution or a hidden test.
    """
    cells = []
    for cell in master.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "markdown" and heading_of(source):
            cells.append({"cell_type": "markdown", "metadata": {}, "source": "# " + heading_of(source)})
        elif grading.get("grade_id") and (grading.get("grade") or grading.get("solution")):
            cells.append({"cell_type": "code", "metadata": {"nbgrader": dict(grading)}, "source": "",
                          "outputs": [], "execution_count": None})
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


class TaskLabels(NbGraderPreprocessor):

    def _master_labels(self, resources: ResourcesDict) -> dict[str, str]:
        """Labels from the master notebook in source/, or {} when it cannot be read."""
        import nbformat

        try:
            info = resources["nbgrader"]
            owner = self.parent  # the exporter; its parent, the converter, knows the course directory
            while owner is not None and not hasattr(owner, "coursedir"):
                owner = owner.parent
            coursedir = owner.coursedir
            folder = coursedir.format_path(coursedir.source_directory, ".", info["assignment"])
            master = nbformat.read(f"{folder}/{info['notebook']}.ipynb", as_version=4)
        except Exception as error:  # no master: the grade ids label the cells
            self.log.warning("task labels: the master notebook could not be read (%s)", error)
            return {}
        return labels_by_grade_id(master)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        labels = self._master_labels(resources)
        for cell in nb.cells:
            if utils.is_grade(cell) or utils.is_solution(cell):
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                label = labels.get(grade_id, f"Task {task_of(grade_id)}")
                cell.metadata["dgmcourse"] = {"task_label": label, "task": task_of(grade_id)}
        return nb, resources
