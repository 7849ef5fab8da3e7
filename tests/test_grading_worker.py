"""The grading worker: one process grades many submissions, and a stuck or dead one is replaced."""
from __future__ import annotations

import os
import shutil
import signal

import pytest

from dgmcourse.instructor import grading, submissions
from dgmcourse.instructor.grading_worker import WorkerProcess

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")


def _grade(course, worker, student, options):
    return grading.grade_submission(course, course.root / "incoming", student, "toy", options=options, worker=worker)


def test_one_worker_grades_many_and_survives_being_killed(toy_course):
    incoming = toy_course.root / "incoming"
    submissions.write(incoming, "good", "toy", submissions.build(toy_course, "toy"))
    submissions.write(incoming, "wrong", "toy", submissions.build(
        toy_course, "toy", {"add__solution": "def add(a, b):\n    return a - b"}))
    options = grading.GradingOptions(feedback=True)
    with WorkerProcess(grading.grader_environment(options)) as worker:
        first = _grade(toy_course, worker, "good", options)
        pid = worker.process.pid
        second = _grade(toy_course, worker, "wrong", options)
        assert worker.process.pid == pid, "the second submission must reuse the first one's worker"
        assert (first.status, first.score) == (grading.GRADED, 3.0)
        assert (second.status, second.score) == (grading.GRADED, 1.0)
        assert (toy_course.feedback_dir / "good" / "toy" / "toy.html").is_file(), "the worker writes feedback too"
        assert 0 < first.notebook_seconds < first.seconds

        os.killpg(pid, signal.SIGKILL)  # as if the worker had crashed between two submissions
        worker.process.wait()
        again = _grade(toy_course, worker, "good", options)
        assert (again.status, again.score) == (grading.GRADED, 3.0)
        assert worker.process.pid != pid, "a dead worker is replaced"


def test_a_worker_past_its_time_limit_is_killed_and_the_submission_timed_out(toy_course):
    submissions.write(toy_course.root / "incoming", "good", "toy", submissions.build(toy_course, "toy"))
    # No sandbox here (the worker is what is tested): the options say so, which sets the opt-out.
    options = grading.GradingOptions(feedback=False, sandbox=False)
    with WorkerProcess(grading.grader_environment(options)) as worker:
        request = {"course_root": str(toy_course.root), "assignment": "toy", "student": "good", "feedback": False,
                   "env": grading.grader_environment(options),
                   "config": {"CourseDirectory": {"root": str(toy_course.root),
                                                  "submitted_directory": str(toy_course.root / "incoming")}}}
        returncode, log, _ = worker.grade(request, timeout=0.5)  # far less than a kernel needs to start
        assert returncode is None and "time limit" in log
        assert worker.process is None, "the stuck worker and its kernel are gone"
        returncode, log, _ = worker.grade(request, timeout=120)
        assert returncode == 0, log


class _StoppedMidway:
    """A grading process stopped at its outer limit after nbgrader had copied the submission into autograded/."""

    answered = False

    def grade(self, request, timeout):
        folder = os.path.join(request["course_root"], "autograded", request["student"], request["assignment"])
        shutil.copytree(os.path.join(request["config"]["CourseDirectory"]["submitted_directory"], request["student"],
                                     request["assignment"]), folder)
        return None, "[ERROR] the grading worker was stopped at the time limit", None


def test_a_notebook_nbgrader_never_finished_scores_nothing(toy_course):
    """Its unrun copy has no error outputs: scored, it would earn every point (a red-team finding)."""
    submissions.write(toy_course.root / "incoming", "good", "toy", submissions.build(toy_course, "toy"))
    options = grading.GradingOptions(feedback=False, sandbox=False)
    result = _grade(toy_course, _StoppedMidway(), "good", options)
    assert result.status == grading.TIMED_OUT and result.score == 0, (result.status, result.score, result.reason)
    assert not (toy_course.autograded_dir / "good" / "toy").exists(), "no unrun copy is kept as a graded notebook"


def test_the_grader_reads_its_helpers_answers_as_bounded_strings_only():
    import time

    from dgmcourse.instructor.preprocessors.bounded_execute import MAX_ANSWER_CHARS, string_literal

    assert string_literal(repr('{"a": 1}')) == '{"a": 1}'
    colliding = "{" + ",".join(str((2 ** 61 - 1) * i) for i in range(100_000)) + "}"
    started = time.monotonic()
    for text in (colliding, "[" + "0," * 1_000_000 + "]", "'x' * 10", "1", repr("x" * (MAX_ANSWER_CHARS + 10))):
        with pytest.raises((ValueError, SyntaxError)):
            string_literal(text)
    assert time.monotonic() - started < 10, "refusing a student's text must take no time"
