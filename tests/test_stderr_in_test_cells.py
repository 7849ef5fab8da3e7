"""A correct answer that writes to stderr inside a test cell keeps its points.

nbgrader alone scores such a cell 0 (``nbgrader.utils.determine_grade``); the course's
``StderrInTestsIsNotFailure`` preprocessor prevents that. The variant
``full_optimize_tqdm_and_float_warning`` shows a tqdm bar and triggers torch's
UserWarning for ``float()`` on a tensor that requires grad.
"""
from __future__ import annotations

import copy

import nbformat
from nbgrader.utils import determine_grade

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.preprocessors import StderrInTestsIsNotFailure
from test_grading_variants import assert_scores, graded  # noqa: F401 - fixture

from conftest import make_cell

ASSIGNMENT = "01_space_worms_wasserstein"
VARIANT = "full_optimize_tqdm_and_float_warning"
STDERR_SIGNS = ("UserWarning", "it/s]")


def _stream_text(output: dict) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def test_warning_and_progress_bar_in_a_test_cell_keep_full_marks(graded):  # noqa: F811
    run = graded(ASSIGNMENT)
    student = next(name for name, s in run.students.items() if any(v.name == VARIANT for v in s.batch))
    assert_scores(run, student)
    notebook = nb.load(run.autograded_notebook(student, "space_worms_wasserstein.ipynb"))
    noisy = [cell for cell in notebook["cells"] if nb.is_test(cell)
             and any(sign in _stream_text(o) for o in cell.get("outputs", []) for sign in STDERR_SIGNS)]
    assert noisy, "the variant wrote nothing to stderr inside a test cell, so it proves nothing"
    for cell in noisy:
        # Put the stream back on stderr: plain nbgrader would have scored this passing cell 0.
        as_nbgrader_saw_it = nbformat.from_dict(copy.deepcopy(cell))
        for output in as_nbgrader_saw_it.outputs:
            if any(sign in _stream_text(output) for sign in STDERR_SIGNS):
                output["name"] = "stderr"
        assert determine_grade(as_nbgrader_saw_it)[0] == 0


def test_preprocessor_relabels_stderr_only_in_test_cells():
    stderr = {"output_type": "stream", "name": "stderr", "text": "UserWarning: harmless\n"}
    test = make_cell("code", "assert True", grade_id="t__tests", role="test", points=1)
    plain = make_cell("code", "print(1)")
    error = {"output_type": "error", "ename": "AssertionError", "evalue": "wrong", "traceback": []}
    failing = make_cell("code", "assert False", grade_id="f__tests", role="test", points=1)
    for cell, outputs in ((test, [stderr]), (plain, [dict(stderr)]), (failing, [dict(stderr), error])):
        cell["outputs"] = copy.deepcopy(outputs)
    pre = StderrInTestsIsNotFailure()
    cells = [nbformat.from_dict(c) for c in (test, plain, failing)]
    for i, cell in enumerate(cells):
        pre.preprocess_cell(cell, {}, i)
    assert cells[0].outputs[0]["name"] == "stdout"
    assert determine_grade(cells[0]) == (1.0, 1.0)
    assert cells[1].outputs[0]["name"] == "stderr", "cells that are not tests are left alone"
    assert determine_grade(cells[2])[0] == 0, "an exception still fails the test cell"
