"""`--jobs N` changes how long grading takes, never the grades; a whole-notebook limit holds."""
from __future__ import annotations

import re
import shutil

import pytest

from dgmcourse.instructor import grading, submissions
from dgmcourse.instructor import notebooks as nb

from conftest import REPO, make_cell, make_toy_course

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")
SHORT_CELLS = re.sub(r"^c\.Execute\.timeout = \d+$", "c.Execute.timeout = 3",
                     (REPO / "nbgrader_config.py").read_text(), flags=re.M)


def _write_students(course):
    incoming = course.root / "incoming"
    submissions.write(incoming, "good", "toy", submissions.build(course, "toy"))
    submissions.write(incoming, "wrong", "toy", submissions.build(
        course, "toy", {"add__solution": "def add(a, b):\n    return a * b"}))
    submissions.write(incoming, "loops", "toy", submissions.build(
        course, "toy", {"slow__solution": "def slow():\n    while True:\n        pass"}))
    submissions.write(incoming, "blank", "toy", submissions.build(course, "toy", blank=True))
    # Eight cells of 2.5 s each: every one is under the 3 s cell limit, together they are not.
    sleepy = submissions.build(course, "toy")
    cells = sleepy["toy.ipynb"]["cells"]
    at = next(i for i, c in enumerate(cells) if nb.grade_id(c) == "slow__solution")
    cells[at:at] = [make_cell("code", f"time.sleep(2.5)  # {i}") for i in range(8)]
    submissions.write(incoming, "sleepy", "toy", sleepy)
    return incoming


def _outcome(results):
    return {(r.student, r.assignment): (r.status, [(c.grade_id, c.score) for c in r.cells]) for r in results}


def test_parallel_equals_serial_and_regrading_is_stable(tmp_path):
    serial_course = make_toy_course(tmp_path / "serial", config_text=SHORT_CELLS)
    parallel_course = make_toy_course(tmp_path / "parallel", config_text=SHORT_CELLS)
    options = dict(max_seconds=12, feedback=False)
    serial = grading.grade_all(serial_course, _write_students(serial_course), jobs=1, **options)
    parallel = grading.grade_all(parallel_course, _write_students(parallel_course), jobs=2, **options)
    again = grading.grade_all(parallel_course, parallel_course.root / "incoming", jobs=2, regrade=True, **options)

    assert len(serial) == len(parallel) == 5, "no submission may be lost"
    assert _outcome(parallel) == _outcome(serial)
    assert _outcome(again) == _outcome(parallel)
    by_student = {r.student: r for r in serial}
    assert (by_student["good"].status, by_student["good"].score) == ("graded", 3.0)
    assert (by_student["wrong"].status, by_student["wrong"].score) == ("graded", 1.0)
    assert (by_student["loops"].status, by_student["loops"].score) == ("timed-out", 2.0)
    assert by_student["blank"].score == 0.0

    sleepy = by_student["sleepy"]
    assert sleepy.status == "timed-out" and "time limit of 12 s" in sleepy.reason, sleepy.reason
    assert sleepy.score == 2.0, "the add tests ran before the limit and keep their points"
    assert sleepy.seconds < 60
    assert len(list((parallel_course.root / "gradebook-backups").glob("*.db"))) >= 1
