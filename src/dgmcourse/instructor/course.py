"""Where a course's files live, and how nbgrader is invoked on them.

A course directory is nbgrader's: ``nbgrader_config.py``, ``source/``, ``release/``,
``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` side by side.
The repository itself is one; tests and the demo make throwaway copies.
"""
from __future__ import annotations

import functools
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


def ensure_tools_on_path() -> None:
    """Put this interpreter's bin/ on PATH: nbgrader runs `alembic` from there to stamp a new gradebook."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def configured_db_url(root: Path) -> str:
    """``c.CourseDirectory.db_url`` of the course's nbgrader_config.py, or "" when it sets none."""
    path = root / CONFIG_FILE
    return _configured_db_url(str(root), path.stat().st_mtime_ns if path.is_file() else 0)


@functools.lru_cache(maxsize=16)
def _configured_db_url(root: str, _mtime: int) -> str:
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except Exception as error:
        raise CourseError(f"{Path(root) / CONFIG_FILE} could not be read: {type(error).__name__}: {error}") from None
    value = config.CourseDirectory.get("db_url", "") if "CourseDirectory" in config else ""
    return str(value or "")


def connection_url(db_url: str) -> str:
    """The URL to open: a sqlite gradebook waits for a lock instead of failing (several writers, one file)."""
    if db_url.startswith("sqlite:") and "?" not in db_url:
        return db_url + "?timeout=120"
    return db_url


@dataclass(frozen=True)
class Course:
    root: Path
    # The gradebook's database, as nbgrader's `db_url`; "" for the course's configured one, and
    # without one in nbgrader_config.py, gradebook.db in the course folder.
    db_url_setting: str = ""

    @classmethod
    def find(cls, start: Path | None = None, db_url: str = "") -> "Course":
        """The course whose ``nbgrader_config.py`` is in ``start`` or one of its parents."""
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / CONFIG_FILE).is_file() and (candidate / "source").is_dir():
                return cls(candidate, db_url)
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
        return self.db_url_setting or configured_db_url(self.root) or f"sqlite:///{self.gradebook}"

    @property
    def uses_default_gradebook(self) -> bool:
        """True when the gradebook is gradebook.db in the course folder (a file that can be copied aside)."""
        return self.db_url == f"sqlite:///{self.gradebook}"

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
        if self.db_url_setting:
            command.append(f"--CourseDirectory.db_url={self.db_url_setting}")
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
    variants = course.root / "tests" / "variants"
    if variants.is_dir():  # the misconception catalogue (misconceptions.py) names mistakes from these
        shutil.copytree(variants, destination / "tests" / "variants", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    # A copy keeps a gradebook of its own even where the course's config names a shared database.
    root = destination.resolve()
    return Course(root, f"sqlite:///{root / 'gradebook.db'}")
