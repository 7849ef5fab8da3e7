"""`dgmcourse grade`: a broken submission gets a status and never stops the others."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

from dgmcourse.instructor import submissions


def test_batch_with_broken_submissions(toy_course):
    incoming = toy_course.root / "incoming"
    submissions.write(incoming, "a-good", "toy", submissions.build(toy_course, "toy"))
    broken_json = incoming / "b-broken-json" / "toy"
    broken_json.mkdir(parents=True)
    (broken_json / "toy.ipynb").write_text('{"cells": [')
    renamed = incoming / "c-renamed" / "toy"
    renamed.mkdir(parents=True)
    (renamed / "toy (1).ipynb").write_text("{}")
    old_format = incoming / "d-nbformat3" / "toy"
    old_format.mkdir(parents=True)
    (old_format / "toy.ipynb").write_text(json.dumps({"nbformat": 3, "worksheets": []}))
    (incoming / "e-wrong-folder" / "toy_final").mkdir(parents=True)
    submissions.write(incoming, "f-wrong-answer", "toy",
                      submissions.build(toy_course, "toy", {"add__solution": "def add(a, b):\n    return a - b"}))

    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(toy_course.root), "grade",
                           str(incoming)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr

    with open(toy_course.reports_dir / "grades.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"a-good", "b-broken-json", "c-renamed", "d-nbformat3", "e-wrong-folder", "f-wrong-answer"}
    assert (rows["a-good"]["status"], rows["a-good"]["score"], rows["a-good"]["max_score"]) == ("graded", "3", "3")
    assert (rows["f-wrong-answer"]["status"], rows["f-wrong-answer"]["score"]) == ("graded", "1")
    assert rows["b-broken-json"]["status"] == "invalid-notebook"
    assert "not valid notebook JSON" in rows["b-broken-json"]["reason"]
    assert "toy (1).ipynb" in rows["c-renamed"]["reason"] and "toy.ipynb" in rows["c-renamed"]["reason"]
    assert "nbformat 3" in rows["d-nbformat3"]["reason"]
    assert "not an assignment of this course" in rows["e-wrong-folder"]["reason"]

    table = done.stdout
    assert "a-good" in table and "3/3" in table and "invalid-notebook" in table
    assert (toy_course.feedback_dir / "a-good" / "toy" / "toy.html").is_file()
    feedback = (toy_course.feedback_dir / "f-wrong-answer" / "toy" / "toy.html").read_text()
    assert "add(1, 2) should be 3" in feedback, "feedback shows the visible check that failed"
    assert "hidden: add(-7, 7)" not in feedback, "feedback must not show hidden tests"


def _grade(course, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "grade",
                           str(course.root / "submitted"), *extra], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _rows(path):
    with open(path) as handle:
        return {(row["student"], row["assignment"]): row for row in csv.DictReader(handle)}


def test_records_accumulate_and_late_submissions_pay_the_configured_penalty(toy_course):
    """Due date set the README's way; on time, 64 s late and 1.5 days late; then one student regraded.

    The course's policy (nbgrader_config.py) takes 10 % of the earned points per started day late.
    """
    done = toy_course.nbgrader("db", "assignment", "add", "toy", "--duedate=2026-11-20 12:00:00 UTC")
    assert done.returncode == 0, done.stdout + done.stderr
    solution = submissions.build(toy_course, "toy")
    submitted = toy_course.root / "submitted"
    for student, stamp in (("ontime", "2026-11-20 11:59:00 UTC"), ("minute", "2026-11-20 12:01:04 UTC"),
                           ("dayandhalf", "2026-11-22 00:00:00 UTC")):
        submissions.write(submitted, student, "toy", solution)
        (submitted / student / "toy" / "timestamp.txt").write_text(stamp)
    _grade(toy_course)
    rows = _rows(toy_course.reports_dir / "grades.csv")
    assert rows[("ontime", "toy")]["late"] == "no" and rows[("ontime", "toy")]["final_score"] == "3"
    minute = rows[("minute", "toy")]
    assert (minute["late"], minute["seconds_late"], minute["score"], minute["late_penalty"], minute["final_score"]) \
        == ("yes", "64", "3", "0.3", "2.7")
    assert minute["due_date"] == "2026-11-20 12:00:00 UTC" and minute["submitted_at"] == "2026-11-20 12:01:04 UTC"
    assert (rows[("dayandhalf", "toy")]["late_penalty"], rows[("dayandhalf", "toy")]["final_score"]) == ("0.6", "2.4")
    export = toy_course.root / "export.csv"
    done = toy_course.nbgrader("export", f"--to={export}")
    assert done.returncode == 0, done.stdout + done.stderr
    exported = {row["student_id"]: row for row in csv.DictReader(open(export))}
    assert float(exported["minute"]["late_submission_penalty"]) == 0.3, "nbgrader export shows the same penalty"

    # Regrade one student with a changed (wrong) answer: the others' rows stay as they were.
    submissions.write(submitted, "minute", "toy",
                      submissions.build(toy_course, "toy", {"add__solution": "def add(a, b):\n    return a - b"}))
    (submitted / "minute" / "toy" / "timestamp.txt").write_text("2026-11-20 12:01:04 UTC")
    _grade(toy_course, "--student", "minute")
    after = _rows(toy_course.reports_dir / "grades.csv")
    assert set(after) == set(rows), "grading one student must keep every other row"
    assert after[("ontime", "toy")] == rows[("ontime", "toy")]
    assert after[("minute", "toy")]["score"] == "1" and after[("minute", "toy")]["late_penalty"] == "0.1"
    cells = list(csv.DictReader(open(toy_course.reports_dir / "grades_by_cell.csv")))
    assert {row["student"] for row in cells} == {"ontime", "minute", "dayandhalf"}
    runs = sorted((toy_course.reports_dir / "runs").glob("grades-*.csv"))
    assert len(runs) == 2 and len(list(csv.DictReader(open(runs[-1])))) == 1, "one file per run, this run's rows"


def test_odd_records_are_kept_and_an_unreadable_timestamp_is_reviewed_not_crashed(toy_course):
    """A dot-named student is graded; a column the instructor added survives; garbage in timestamp.txt
    gives a needs-review row with every point, not a crash."""
    submitted = toy_course.root / "submitted"
    solution = submissions.build(toy_course, "toy")
    for student in (".dotted", "garbage-time"):
        submissions.write(submitted, student, "toy", solution)
    (submitted / "garbage-time" / "toy" / "timestamp.txt").write_text("not a time at all")
    toy_course.reports_dir.mkdir(parents=True)
    (toy_course.reports_dir / "grades.csv").write_text(
        "student,assignment,status,score,max_score,seconds,reason,comment\n"
        "carol,toy,graded,3,3,1.0,,hand-checked OK\n")
    _grade(toy_course)
    rows = _rows(toy_course.reports_dir / "grades.csv")
    assert rows[(".dotted", "toy")]["final_score"] == "3"
    assert rows[("carol", "toy")]["comment"] == "hand-checked OK", "a column added by hand was dropped"
    odd = rows[("garbage-time", "toy")]
    assert (odd["status"], odd["score"]) == ("needs-review", "3"), odd
    assert "timestamp.txt" in odd["reason"]


def test_a_run_stopped_midway_keeps_the_grades_it_finished(toy_course):
    import os
    import signal
    import time

    submitted = toy_course.root / "submitted"
    submissions.write(submitted, "a-fast", "toy", submissions.build(toy_course, "toy"))
    submissions.write(submitted, "b-slow", "toy", submissions.build(
        toy_course, "toy", {"add__solution": "import time\ntime.sleep(600)\ndef add(a, b):\n    return a + b"}))
    run = subprocess.Popen([sys.executable, "-m", "dgmcourse.cli", "--course", str(toy_course.root), "grade",
                            str(submitted)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    summary = toy_course.reports_dir / "grades.csv"
    try:
        deadline = time.monotonic() + 240
        while not (summary.exists() and "a-fast" in summary.read_text()):
            assert time.monotonic() < deadline and run.poll() is None, "a-fast was never recorded"
            time.sleep(1)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    rows = _rows(summary)
    assert rows[("a-fast", "toy")]["final_score"] == "3" and ("b-slow", "toy") not in rows
    # Nothing of the stopped run keeps running: its grading worker and b-slow's kernel end with it.
    deadline = time.monotonic() + 30
    while True:
        left = subprocess.run(["pgrep", "-f", f"grading_worker {toy_course.root}"], capture_output=True, text=True)
        if not left.stdout.strip():
            break
        assert time.monotonic() < deadline, f"a grading worker outlived the grader: {left.stdout}"
        time.sleep(1)
    (run_file,) = (toy_course.reports_dir / "runs").glob("grades-*.csv")
    assert "a-fast" in run_file.read_text()
