"""The repository's nbgrader_config.py: the keys nbgrader 0.9 honours, and their effect."""
from __future__ import annotations

import re
import time

from traitlets.config.loader import PyFileConfigLoader

from dgmcourse.instructor import grading, submissions
from dgmcourse.instructor import notebooks as nb

from conftest import REPO, make_toy_course


def _config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def test_config_sets_the_keys_nbgrader_honours():
    config = _config()
    assert config.CourseDirectory.course_id
    assert isinstance(config.Execute.timeout, int) and config.Execute.timeout > 0
    assert "timeout" not in config.ExecutePreprocessor, "nbgrader 0.9 ignores ExecutePreprocessor.timeout"
    assert config.OverwriteCells.add_missing_cells is True


def test_cell_timeout_takes_effect_and_a_deleted_test_cell_is_restored(tmp_path):
    """With Execute.timeout lowered to 3 s, a 120 s cell is cut off and the rest is still graded.

    The same run shows add_missing_cells: a submission that deleted a test cell gets it back
    (and, its answer being blank, scores 0 on it).
    """
    text = (REPO / "nbgrader_config.py").read_text()
    text, count = re.subn(r"^c\.Execute\.timeout = \d+$", "c.Execute.timeout = 3", text, flags=re.M)
    assert count == 1, "nbgrader_config.py must set c.Execute.timeout on one line"
    course = make_toy_course(tmp_path / "course", config_text=text)
    submitted = course.root / "submitted"

    sleepy = submissions.build(course, "toy", {"slow__solution": "def slow():\n    time.sleep(120)\n    return 1"})
    submissions.write(submitted, "sleepy", "toy", sleepy)
    started = time.monotonic()
    result = grading.grade_submission(course, submitted, "sleepy", "toy", feedback=False)
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"grading took {elapsed:.0f} s: the 3 s cell limit was not applied"
    assert result.status == grading.TIMED_OUT and "slow__tests" in result.reason, result.reason
    assert result.cell("add__tests").score == 2.0, "cells before and after the slow one keep their points"
    assert result.cell("slow__tests").score == 0.0

    deleter = submissions.build(course, "toy", blank=True)
    notebook = deleter["toy.ipynb"]
    notebook["cells"] = [c for c in notebook["cells"] if nb.grade_id(c) != "add__tests"]
    submissions.write(submitted, "deleter", "toy", deleter)
    result = grading.grade_submission(course, submitted, "deleter", "toy", feedback=False)
    assert result.status == grading.GRADED
    assert result.cell("add__tests").score == 0.0 and result.cell("add__tests").max_score == 2.0
    graded = nb.load(course.autograded_dir / "deleter" / "toy" / "toy.ipynb")
    assert "add__tests" in [nb.grade_id(c) for c in graded["cells"]], "the deleted test cell was not restored"


def test_the_feedback_template_is_set_for_feedback_only():
    """The formgrader renders submissions for manual grading with its own 'formgrade' template;
    a course-wide HTMLExporter setting would replace it there."""
    config = _config()
    assert "template_name" not in config.HTMLExporter and "filters" not in config.HTMLExporter
    assert config.GenerateFeedback.HTMLExporter.template_name == "dgmcourse_feedback"


def test_the_exchange_is_left_to_the_site_wide_config():
    """A course file is read last: an exchange root here would override /etc/jupyter's."""
    config = _config()
    assert "root" not in config.Exchange and "path_includes_course" not in config.Exchange
