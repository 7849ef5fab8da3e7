"""The course's late policy, as an nbgrader late-submission plugin.

nbgrader offers two policies: no penalty, or zero for any lateness. A course usually
wants something between: here, each started day late (after an optional grace period)
costs ``percent_per_day`` percent of the points the notebook earned, up to all of them.
nbgrader stores the penalty per notebook in the gradebook; ``nbgrader export`` and
``dgmcourse grade``'s ``grades.csv`` show it next to the raw score.

Lateness is nbgrader's: the submission's ``timestamp.txt`` (written by
``nbgrader submit``, carried through ``collect``) against the assignment's due date
(``nbgrader db assignment add ID --duedate=...``). Configure it in ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "dgmcourse.instructor.late_policy.PercentPerStartedDay"
    c.PercentPerStartedDay.percent_per_day = 10
    c.PercentPerStartedDay.grace_seconds = 0
"""
from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

DAY = 24 * 3600


def penalty_for(score: float, seconds_late: float, percent_per_day: float, grace_seconds: float) -> float:
    """Points taken from ``score`` for a notebook ``seconds_late`` past the due date."""
    if seconds_late <= grace_seconds or score <= 0:
        return 0.0
    started_days = math.ceil((seconds_late - grace_seconds) / DAY)
    return round(min(score, score * percent_per_day / 100 * started_days), 6)


class PercentPerStartedDay(LateSubmissionPlugin):
    """``percent_per_day`` percent of the notebook's score per started day late, after ``grace_seconds``."""

    percent_per_day = Float(10.0, help="Percent of the earned points taken per started day late.").tag(config=True)
    grace_seconds = Float(0.0, help="Lateness forgiven entirely (clock skew, a slow upload).").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        penalty = penalty_for(score, total_seconds_late, self.percent_per_day, self.grace_seconds)
        self.log.info("Late policy: %s is %.0f s late; %g%% per started day after %g s of grace: penalty %g of %g",
                      student_id, total_seconds_late, self.percent_per_day, self.grace_seconds, penalty, score)
        return penalty
