"""`dgmcourse demo`, the main job, on assignment 01 in a copy of the course."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys

from dgmcourse.instructor.course import copy_course

from conftest import REPO

ASSIGNMENT = "01_space_worms_wasserstein"


def test_demo_grades_solution_blank_and_partial_students(repo_course, tmp_path):
    course = copy_course(repo_course, tmp_path / "course")
    shutil.copytree(REPO / "tests" / "variants" / ASSIGNMENT, course.root / "tests" / "variants" / ASSIGNMENT)
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "demo", ASSIGNMENT],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Demo OK" in done.stdout
    with open(course.reports_dir / "grades.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    full = float(rows["demo-solution"]["max_score"])
    assert float(rows["demo-solution"]["score"]) == full > 0
    assert float(rows["demo-blank"]["score"]) == 0
    assert 0 < float(rows["demo-partial"]["score"]) < full
    assert all(row["status"] == "graded" for row in rows.values())
    plot = course.reports_dir / "points_per_task.png"
    assert plot.stat().st_size > 10_000 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
