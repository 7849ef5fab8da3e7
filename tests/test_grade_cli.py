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
