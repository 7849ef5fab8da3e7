"""Deep generative models course.

`dgmcourse.student` is what the notebooks import (seeding, device, checks, plots, data).
`dgmcourse.instructor` is the release and grading tooling; notebooks never import it.
The names below are the student-side ones, re-exported so a notebook can write
`from dgmcourse import seed_everything, pick_device`.
"""
from dgmcourse.student.reproducibility import cpu_threads_for, grading_seed, pick_device, run_size, seed_everything

__all__ = ["cpu_threads_for", "grading_seed", "pick_device", "run_size", "seed_everything"]
__version__ = "0.1.0"
