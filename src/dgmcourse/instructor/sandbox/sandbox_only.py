"""No kernel for student code outside the grading sandbox, whoever asks nbgrader for one.

``dgmcourse grade`` runs every kernel in bubblewrap. nbgrader itself knows nothing of
that: the formgrader's Autograde button, a plain ``nbgrader autograde`` and an
instructor's ``nbgrader validate`` on a submission would start an ordinary kernel, as
the instructor, with the course, the gradebook and every other student's work in reach.

The course's ``nbgrader_config.py``, and the instructor's own ``~/.jupyter/nbgrader_config.py``
(read where the course's file is not: JupyterLab's Validate button, ``nbgrader validate``
run inside a submission's folder), make nbgrader's ``Execute`` (and so ``BoundedExecute``
and the ``Validator``) start kernels through :class:`SandboxOnlyKernelManager`, which
lets a kernel start only when

- its kernelspec is the sandbox launcher that ``dgmcourse grade`` puts first on
  ``JUPYTER_PATH``, with a sandbox settings file in the environment; or
- the notebook lives in the course's own ``source/`` or ``release/`` (the instructor's
  material, not a student's); or
- ``DGMCOURSE_ALLOW_UNSANDBOXED=1`` is set: an explicit opt-out for a machine that holds
  nothing but the course, which is logged as a warning on every kernel it lets through.

Anything else is refused with a message that says to use ``dgmcourse grade``. Students'
own ``validate`` is unaffected: it runs in their notebook server with their own config,
which never reads the course's file.
"""
from __future__ import annotations

import os
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode

from dgmcourse.instructor.sandbox.settings import SETTINGS_ENV

OPT_OUT_ENV = "DGMCOURSE_ALLOW_UNSANDBOXED"
LAUNCHER_MODULE = "dgmcourse.instructor.sandbox.launch_kernel"
INSTRUCTOR_FOLDERS = ("source", "release")


class UnsandboxedKernelRefused(RuntimeError):
    """nbgrader was about to run a student's notebook outside the sandbox."""


def refusal_message(cwd: str) -> str:
    return (f"dgmcourse refused to start a kernel for the notebook in {cwd}: nbgrader would run it unsandboxed, "
            "as you, with this course's files, the gradebook and every other submission in reach. "
            "Grade submissions with `dgmcourse grade submitted` (add --student/--assignment for one), which "
            "runs each kernel in the grading sandbox; the formgrader then shows the results. "
            f"On a machine that holds nothing but the course you may set {OPT_OUT_ENV}=1 to run nbgrader's "
            "own autograde or validate without the sandbox.")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


class SandboxOnlyKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that starts a kernel only where the module docstring says."""

    course_root = Unicode("", help="The course directory; notebooks in its source/ and release/ are the "
                                   "instructor's own and may run unsandboxed.").tag(config=True)

    def _sandboxed(self) -> bool:
        argv = list(getattr(self.kernel_spec, "argv", None) or [])
        settings = os.environ.get(SETTINGS_ENV, "")
        return LAUNCHER_MODULE in argv and bool(settings) and os.path.isfile(settings)

    def _course_root(self) -> str:
        """This trait, else nbgrader's ``CourseDirectory.root`` from the same configuration."""
        if self.course_root:
            return self.course_root
        try:
            return str(self.config.CourseDirectory.root or "")
        except AttributeError:
            return ""

    def _instructor_material(self, cwd: str) -> bool:
        course_root = self._course_root()
        if not course_root:
            return False
        where, root = Path(cwd).resolve(), Path(course_root).resolve()
        return any(_inside(where, root / folder) for folder in INSTRUCTOR_FOLDERS)

    async def _async_pre_start_kernel(self, **kw):
        cwd = str(kw.get("cwd") or os.getcwd())
        if not self._sandboxed() and not self._instructor_material(cwd):
            if os.environ.get(OPT_OUT_ENV) != "1":
                raise UnsandboxedKernelRefused(refusal_message(cwd))
            self.log.warning("%s=1: running the notebook in %s WITHOUT the grading sandbox, as this user, "
                             "with this machine's files in reach.", OPT_OUT_ENV, cwd)
        return await super()._async_pre_start_kernel(**kw)
