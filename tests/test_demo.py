"""`dgmcourse demo`, the main job, on assignment 01: graded in a copy, the course left untouched."""
from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dgmcourse.instructor import variants
from dgmcourse.instructor.course import copy_course

from conftest import REPO

ASSIGNMENT = "01_space_worms_wasserstein"


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` (links as their target), with a hash of each file's bytes."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                seen[key] = "link -> " + os.readlink(path)
            elif path.is_file():
                seen[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                seen[key] = "folder"
    return seen


def test_demo_grades_in_a_kept_copy_and_leaves_the_course_byte_for_byte(repo_course, tmp_path):
    course = copy_course(repo_course, tmp_path / "course")
    assert (course.root / "tests" / "variants" / ASSIGNMENT).is_dir(), "a copy keeps the catalogue of mistakes"
    # What an instructor's course holds mid-term: a submission and a gradebook of their own.
    (course.root / "submitted" / "alice" / ASSIGNMENT).mkdir(parents=True)
    (course.root / "submitted" / "alice" / ASSIGNMENT / "timestamp.txt").write_text("2026-11-01 10:00:00\n")
    (course.root / "gradebook.db").write_bytes(b"the instructor's gradebook")
    before = snapshot(course.root)
    kept = tmp_path / "demo-copy"
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "demo", ASSIGNMENT,
                           "--keep", str(kept)], capture_output=True, text=True, timeout=900, cwd=course.root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Demo OK" in done.stdout
    assert snapshot(course.root) == before, "the demo changed the course directory"
    with open(kept / "reports" / "grades.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    full = float(rows["demo-solution"]["max_score"])
    assert float(rows["demo-solution"]["score"]) == full > 0
    assert float(rows["demo-blank"]["score"]) == 0
    assert 0 < float(rows["demo-partial"]["score"]) < full
    assert all(row["status"] == "graded" for row in rows.values())
    plot = kept / "reports" / "points_per_task.png"
    assert plot.stat().st_size > 10_000 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (kept / "feedback" / "demo-solution" / ASSIGNMENT).is_dir()
    # The partly wrong student's mistakes are named: in its feedback, the cell report and the class summary.
    partial_wrong = [v for v in variants.load(REPO / "tests" / "variants" / ASSIGNMENT)
                     if "partial-student" in v.demo_roles and v.tells]
    assert partial_wrong, "the demo's partly wrong student makes at least one catalogued mistake"
    page = next((kept / "feedback" / "demo-partial" / ASSIGNMENT).glob("*.html")).read_text()
    with open(kept / "reports" / "grades_by_cell.csv") as handle:
        told = {row["diagnosis"] for row in csv.DictReader(handle) if row["student"] == "demo-partial"}
    with open(kept / "reports" / "misconceptions.csv") as handle:
        summary = {row["mistake"]: row for row in csv.DictReader(handle)}
    for variant in partial_wrong:
        mistake = variant.name.removeprefix("lose_")
        assert variant.tells in page and mistake in told, mistake
        assert summary[mistake]["students"] == "1" and summary[mistake]["tells"] == variant.tells
        assert f"named mistake {mistake}" in done.stdout
    assert (kept / "reports" / "misconceptions.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_refuses_to_keep_its_copy_inside_the_course(repo_course, tmp_path):
    course = copy_course(repo_course, tmp_path / "course")
    before = snapshot(course.root)
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "demo", ASSIGNMENT,
                           "--keep", str(course.root / "demo")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "inside the course directory" in done.stderr, done.stderr
    assert snapshot(course.root) == before


def test_demo_refuses_a_keep_folder_that_reaches_the_course_by_another_name(repo_course, tmp_path):
    """A symbolic link and a bind mount of the course: names differ, the folder is the same."""
    course = copy_course(repo_course, tmp_path / "course")
    link = tmp_path / "link-to-course"
    link.symlink_to(course.root)
    candidates = [link / "demo", tmp_path / "elsewhere" / ".." / "course" / "x", course.root / "reports"]
    mount = tmp_path / "bind"
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        mount.mkdir()
        mounted = subprocess.run(["mount", "--bind", str(course.root), str(mount)], capture_output=True).returncode == 0
        if mounted:
            candidates.append(mount / "demo-copy")
    try:
        before = snapshot(course.root)
        for keep in candidates:
            done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "demo",
                                   ASSIGNMENT, "--keep", str(keep)], capture_output=True, text=True, timeout=300)
            assert done.returncode == 2 and "inside the course directory" in done.stderr, (keep, done.stderr)
        assert snapshot(course.root) == before
        a_file = tmp_path / "a-file"
        a_file.write_text("x")
        done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "demo",
                               ASSIGNMENT, "--keep", str(a_file)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 2 and "is a file" in done.stderr, done.stderr
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=False)
