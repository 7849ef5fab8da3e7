"""Running a submission's kernel in a bubblewrap sandbox.

nbgrader starts the kernel through a kernelspec; ``kernelspec.py`` writes one whose
command is ``launch_kernel.py``, which drops privileges, sets resource limits and
execs ``bwrap`` around ipykernel. The kernel talks to nbgrader over Unix sockets in
a private runtime folder (it has no network, so TCP to the grader is impossible).
"""
from dgmcourse.instructor.sandbox.settings import SandboxSettings, SandboxUnavailable

__all__ = ["SandboxSettings", "SandboxUnavailable"]
