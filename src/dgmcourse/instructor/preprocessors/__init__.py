"""nbgrader preprocessors added by this course, one concern per module (as nbgrader's own are).

They are wired into grading by ``nbgrader_config.py``.
"""
from dgmcourse.instructor.preprocessors.stderr_in_tests import StderrInTestsIsNotFailure

__all__ = ["StderrInTestsIsNotFailure"]
