"""Where a course's files live, and how nbgrader is invoked on them.

A course directory is nbgrader's: ``nbgrader_config.py``, ``source/``, ``release/``,
``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` side by side.
The repository itself is one; tests and the demo make throwaway copies.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from dgmcourse.instructor import notebooks as nb

CONFIG_FILE = "nbgrader_config.py"


class CourseError(Exception):
    """A problem with the course directory an instructor can fix; the message says how."""


@dataclass(frozen=True)
class Course:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> "Course":
        """The course whose ``nbgrader_config.py`` is in ``start`` or one of its parents."""
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / CONFIG_FILE).is_file() and (candidate / "source").is_dir():
                return cls(candidate)
        raise CourseError(f"no course found at or above {here}: expected {CONFIG_FILE} next to a source/ "
                          "folder; run the command from the course directory or pass --course")

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def autograded_dir(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback_dir(self) -> Path:
        return self.root / "feedback"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    def assignments(self) -> list[str]:
        """Assignment ids: the folders of ``source/`` that hold notebooks, in name order."""
        return sorted(p.name for p in self.source_dir.iterdir() if p.is_dir() and nb.notebooks_in(p))

    def master_notebooks(self, assignment: str) -> list[Path]:
        return nb.notebooks_in(self.source_dir / assignment)

    def released_notebooks(self, assignment: str) -> list[Path]:
        return nb.notebooks_in(self.release_dir / assignment)

    def check_assignment(self, assignment: str) -> None:
        if assignment not in self.assignments():
            known = ", ".join(self.assignments()) or "none"
            raise CourseError(f"unknown assignment {assignment!r}; this course has: {known}")

    def nbgrader(self, *args: str, env: dict[str, str] | None = None, timeout: float | None = None,
                 extra_config: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        """Run ``nbgrader ARGS`` in the course root and capture its output.

        It runs as ``python -m nbgrader`` of this interpreter, with this interpreter's
        ``bin/`` first on PATH because nbgrader shells out to ``alembic``.
        """
        full_env = dict(os.environ if env is None else env)
        bin_dir = str(Path(sys.executable).parent)
        full_env["PATH"] = bin_dir + os.pathsep + full_env.get("PATH", "")
        full_env.setdefault("MPLBACKEND", "Agg")
        command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={self.root}", *extra_config]
        return subprocess.run(command, cwd=self.root, env=full_env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)


def copy_course(course: Course, destination: Path, *, with_release: bool = True) -> Course:
    """A fresh course directory holding this course's config and masters (and release)."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(course.root / CONFIG_FILE, destination / CONFIG_FILE)
    shutil.copytree(course.source_dir, destination / "source", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if with_release and course.release_dir.is_dir():
        shutil.copytree(course.release_dir, destination / "release", dirs_exist_ok=True)
    return Course(destination.resolve())
