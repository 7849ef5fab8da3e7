"""The code style, as pyproject.toml's [tool.ruff] states it, over the package, the tests,
quickstart.py and the masters' text forms (what pre-commit runs too)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

CHECKED = ["src", "tests", "quickstart.py", "source"]


def _ruff() -> str:
    beside = Path(sys.executable).parent / "ruff"
    return str(beside) if beside.exists() else (shutil.which("ruff") or "ruff")


def test_ruff_finds_nothing():
    done = subprocess.run([_ruff(), "check", "--no-cache", *CHECKED], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


def test_the_masters_text_forms_are_among_the_checked_files():
    done = subprocess.run([_ruff(), "check", "--no-cache", "--show-files", *CHECKED], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    listed = done.stdout
    for master in sorted((REPO / "source").glob("*/*.ipynb")):
        assert str(master.with_suffix(".py")) in listed, f"ruff does not check {master.with_suffix('.py').name}"
    assert ".ipynb" not in listed.replace("source/", ""), "notebooks are checked through their text forms"


def test_the_masters_code_lines_fit_the_line_length():
    """The text forms' E501 is off for markdown prose (a paragraph per line); checked on the notebooks,
    where ruff skips markdown, the code's lines must fit all the same."""
    masters = [str(p) for p in sorted((REPO / "source").glob("*/*.ipynb"))]
    done = subprocess.run([_ruff(), "check", "--no-cache", "--select", "E501", *masters], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
