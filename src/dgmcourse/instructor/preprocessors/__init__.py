"""nbgrader preprocessors added by this course, one concern per module (as nbgrader's own are).

They are wired into grading and feedback by ``nbgrader_config.py``.
"""
from dgmcourse.instructor.preprocessors.bounded_execute import BoundedExecute
from dgmcourse.instructor.preprocessors.hidden_tests_in_outputs import HiddenTestsInOutputs
from dgmcourse.instructor.preprocessors.named_mistakes import NamedMistakes
from dgmcourse.instructor.preprocessors.safe_outputs import SafeOutputs
from dgmcourse.instructor.preprocessors.stderr_in_tests import StderrInTestsIsNotFailure
from dgmcourse.instructor.preprocessors.task_labels import TaskLabels

__all__ = ["BoundedExecute", "HiddenTestsInOutputs", "NamedMistakes", "SafeOutputs", "StderrInTestsIsNotFailure",
           "TaskLabels"]
