"""Show the named mistake under the failing test of its task, in the feedback.

The grader names a mistake while grading (``diagnosis.py``) and keeps it in the graded
notebook's metadata (``dgmcourse.diagnoses``, written by ``BoundedExecute``, never read from
the submission). Here it goes on the first test cell of that task that lost points, as
``cell.metadata.dgmcourse.diagnosis``, which the course's feedback template shows under the
test. A task that kept its points shows none, whatever the metadata says.
"""
from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from dgmcourse.instructor.notebooks import task_of


def lost_points(cell) -> bool:
    grading = cell.metadata.get("nbgrader", {})
    try:
        return float(grading.get("score") or 0) < float(grading.get("points") or 0)
    except (TypeError, ValueError):
        return False


class NamedMistakes(NbGraderPreprocessor):

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        diagnoses = dict((nb.metadata.get("dgmcourse") or {}).get("diagnoses") or {})
        for cell in nb.cells:
            if not (utils.is_grade(cell) and not utils.is_solution(cell)) or not lost_points(cell):
                continue
            task = task_of(cell.metadata.nbgrader.get("grade_id", ""))
            named = diagnoses.pop(task, None)
            if isinstance(named, dict) and named.get("tells"):
                shown = cell.metadata.setdefault("dgmcourse", {})
                shown["diagnosis"] = {"function": str(named.get("function", "")), "tells": str(named["tells"]),
                                      "mistake": str(named.get("mistake", ""))}
        return nb, resources
