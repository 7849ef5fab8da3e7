"""One batch, every attack and bad input between two good students, graded with `dgmcourse grade --jobs 2`.

Each submission must end with the status and score its corpus entry states; the good
students must be untouched; nothing may be written outside the grader's own outputs.
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from adversarial_corpus import CASES, code
from conftest import REPO, make_toy_course

GRADER_OUTPUTS = ("autograded", "feedback", "reports", "gradebook.db", "gradebook-backups")
bwrap_missing = shutil.which("bwrap") is None
if bwrap_missing and os.environ.get("CI"):
    raise RuntimeError("CI must install bubblewrap: the adversarial corpus needs the grading sandbox")
pytestmark = pytest.mark.skipif(bwrap_missing, reason="bubblewrap (bwrap) is not installed")


def _snapshot(root: Path) -> dict[str, str]:
    files = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in GRADER_OUTPUTS:
            files[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


class CountingServer:
    """A TCP server on the grader's loopback that counts connections (there must be none)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial") / "course"
    config = re.sub(r"^c\.Execute\.timeout = \d+$", "c.Execute.timeout = 5",
                    (REPO / "nbgrader_config.py").read_text(), flags=re.M)
    course = make_toy_course(root, config_text=config)
    server = CountingServer()
    context = {"root": str(course.root), "port": server.port,
               "other_notebook": REPO / "release" / "01_space_worms_wasserstein" / "space_worms_wasserstein.ipynb"}
    incoming = course.root / "incoming"
    students = {"a-good-first": code(), "z-good-last": code()}
    for index, case in enumerate(CASES):
        students[f"b{index:02d}-{case.name}"] = case.build
    for student, build in students.items():
        folder = incoming / student / "toy"
        folder.mkdir(parents=True)
        for name, data in build(course, context).items():
            (folder / name).write_bytes(data)
    before = _snapshot(course.root)
    marker = Path("/tmp/dgmcourse-escape-marker")
    marker.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "grade",
                           str(incoming), "--jobs", "2", "--max-seconds", "60", "--memory-mb", "2048"],
                          capture_output=True, text=True, timeout=1500)
    with open(course.reports_dir / "grades.csv") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return {"course": course, "done": done, "rows": rows, "before": before, "after": _snapshot(course.root),
            "server": server, "marker": marker}


def test_batch_finishes_and_every_student_is_reported(corpus):
    assert corpus["done"].returncode == 0, corpus["done"].stdout[-2000:] + corpus["done"].stderr[-2000:]
    assert len(corpus["rows"]) == len(CASES) + 2


@pytest.mark.parametrize("index,case", list(enumerate(CASES)), ids=[c.name for c in CASES])
def test_attack_gets_its_status_and_score(corpus, index, case):
    row = corpus["rows"][f"b{index:02d}-{case.name}"]
    assert (row["status"], float(row["score"])) == (case.status, case.score), f"{case.what}: {row}"
    assert float(row["max_score"]) == 3.0
    if case.status != "graded":
        assert row["reason"], "a status other than graded must say why"


def test_good_students_are_untouched(corpus):
    for student in ("a-good-first", "z-good-last"):
        row = corpus["rows"][student]
        assert (row["status"], row["score"], row["max_score"]) == ("graded", "3", "3")


def test_nothing_was_written_outside_the_graders_outputs(corpus):
    assert corpus["after"] == corpus["before"], "files changed outside autograded/, feedback/, reports/ and the gradebook"
    assert not corpus["marker"].exists(), "the kernel wrote to the host's /tmp"
    config = (corpus["course"].root / "nbgrader_config.py").read_text()
    assert "owned" not in config
    assert corpus["server"].connections == 0, "a kernel reached the grader's loopback network"


def test_reasons_name_the_attack(corpus):
    rows = corpus["rows"]
    reason = {name.split("-", 1)[1]: row["reason"] for name, row in rows.items() if name.startswith("b")}
    assert "not valid notebook JSON" in reason["malformed-json"]
    assert "empty" in reason["zero-bytes"]
    assert "nbformat 3" in reason["nbformat-3"] and "nbformat 5" in reason["nbformat-5"]
    assert "does not look like this assignment" in reason["other-assignment"]
    assert "cell time limit reached" in reason["infinite-loop"], "an ordinary loop is interrupted, not killed"
    assert "did not stop when interrupted" in reason["ignores-sigint"]
    assert "kernel died" in reason["os-exit"]
    assert "numpy.testing" in reason["patch-numpy-testing"]
    assert "input" in reason["input-transformer"] and "AST" in reason["ast-transformer"]
    assert "custom exception handler" in reason["custom-exception-handler"]
    assert "__eq__" in reason["always-equal"]


def test_output_is_capped_and_feedback_hides_hidden_tests(corpus):
    course = corpus["course"]
    graded = next((course.autograded_dir).glob("*huge-output/toy/toy.ipynb"))
    assert graded.stat().st_size < 8_000_000, f"{graded} is {graded.stat().st_size} bytes"
    for page in course.feedback_dir.rglob("*.html"):
        assert "hidden: add(-7, 7)" not in page.read_text(), f"{page} shows a hidden test"


def test_gradebook_was_backed_up(corpus):
    backups = list((corpus["course"].root / "gradebook-backups").glob("gradebook-*.db"))
    assert backups, "the gradebook is copied aside before every run"
