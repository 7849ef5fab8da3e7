"""Grading past one machine, with real parts started here: a Dask scheduler and workers over TCP,
a PostgreSQL server, the ledger, and the faults a long batch meets (a worker killed, the coordinator
killed, a submission that kills its worker, the database restarted)."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dgmcourse.instructor import grading, submissions
from dgmcourse.instructor.course import Course

from conftest import REPO, make_toy_course
from services import DaskCluster, PostgresServer, require_postgres

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")
SHORT_CELLS = re.sub(r"^c\.Execute\.timeout = \d+$", "c.Execute.timeout = 3",
                     (REPO / "nbgrader_config.py").read_text(), flags=re.M)
OPTIONS = dict(max_seconds=20, feedback=True, memory_mb=2048)
EXPECTED = {"good": ("graded", 3.0), "wrong": ("graded", 1.0), "loops": ("timed-out", 2.0),
            "blank": ("graded", 0.0), "dies": ("crashed", 2.0)}


def _write(course: Course, names=tuple(EXPECTED), folder: str = "incoming") -> Path:
    incoming = course.root / folder
    code = {"good": {}, "wrong": {"add__solution": "def add(a, b):\n    return a * b"},
            "loops": {"slow__solution": "def slow():\n    while True:\n        pass"},
            "dies": {"slow__solution": "import os\nos._exit(3)"}}
    for name in names:
        built = submissions.build(course, "toy", blank=True) if name == "blank" else \
            submissions.build(course, "toy", code[name])
        submissions.write(incoming, name, "toy", built)
    return incoming


def _outcome(results) -> dict:
    return {(r.student, r.assignment): (r.status, [(c.grade_id, c.score) for c in r.cells]) for r in results}


def _check_expected(results) -> None:
    got = {r.student: (r.status, r.score) for r in results}
    assert got == {name: EXPECTED[name] for name in got}, "\n".join(f"{r.student}: {r.reason}" for r in results)


def _gradebook_submissions(course: Course) -> list[tuple[str, str]]:
    from nbgrader.api import Gradebook, SubmittedAssignment

    with Gradebook(course.db_url) as gradebook:
        return sorted((s.student.id, s.assignment.name) for s in gradebook.db.query(SubmittedAssignment))


@pytest.fixture
def cluster(tmp_path):
    """Two workers that cannot see tmp_path/courses, where every course of these tests lives (root only)."""
    hidden = tmp_path / "courses"
    hidden.mkdir()
    hide = [hidden] if os.geteuid() == 0 and shutil.which("unshare") else []
    with DaskCluster(tmp_path / "dask", 2, hide=hide) as running:
        running.hides_courses = bool(hide)
        yield running


def test_a_dask_cluster_grades_as_the_local_pool_does(tmp_path, cluster):
    courses = {how: make_toy_course(tmp_path / "courses" / how, config_text=SHORT_CELLS)
               for how in ("jobs1", "jobs2", "dask")}
    one = grading.grade_all(courses["jobs1"], _write(courses["jobs1"]), jobs=1, **OPTIONS)
    two = grading.grade_all(courses["jobs2"], _write(courses["jobs2"]), jobs=2, **OPTIONS)
    batches = []
    dask = grading.grade_all(courses["dask"], _write(courses["dask"]), scheduler=cluster.address,
                             started=batches.append, **OPTIONS)

    _check_expected(one)
    assert _outcome(two) == _outcome(one)
    assert _outcome(dask) == _outcome(one), "\n".join(f"{r.student}: {r.reason}" for r in dask)
    assert batches[0].to_grade == 5 and batches[0].dashboard.startswith("http"), batches
    # The coordinator wrote everything the workers returned; the workers never saw the course.
    assert (courses["dask"].feedback_dir / "good" / "toy" / "toy.html").is_file()
    assert (courses["dask"].autograded_dir / "wrong" / "toy" / "toy.ipynb").is_file()
    assert _gradebook_submissions(courses["dask"]) == [(name, "toy") for name in sorted(EXPECTED)]
    if cluster.hides_courses:
        from distributed import Client

        with Client(cluster.address) as client:
            seen = client.run(os.listdir, str(tmp_path / "courses"), on_error="return")
        assert seen and all(isinstance(listing, Exception) or listing == [] for listing in seen.values()), seen


def test_the_ledger_grades_only_what_is_missing_or_changed(tmp_path):
    course = make_toy_course(tmp_path / "course", config_text=SHORT_CELLS)
    incoming = _write(course, ("good", "wrong"))
    graded, batches = [], []

    def run(**extra):
        graded.clear()
        return grading.grade_all(course, incoming, jobs=1, progress=lambda r: graded.append(r.student),
                                 started=batches.append, **OPTIONS, **extra)

    first = run()
    assert sorted(graded) == ["good", "wrong"]
    again = run()
    assert graded == [] and batches[-1].unchanged == 2, "nothing changed: nothing is graded again"
    assert _outcome(again) == _outcome(first), "the earlier results are reported as they were"

    submissions.write(incoming, "wrong", "toy", submissions.build(course, "toy"))  # fixed and resubmitted
    _write(course, ("blank",))                                                     # a late-comer
    changed = run()
    assert sorted(graded) == ["blank", "wrong"], "the changed and the new submission, nothing else"
    assert {r.student: r.score for r in changed} == {"good": 3.0, "wrong": 3.0, "blank": 0.0}

    run(seed=1)
    assert sorted(graded) == ["blank", "good", "wrong"], "another seed is another grading: all again"
    run(seed=1, regrade=True)
    assert sorted(graded) == ["blank", "good", "wrong"], "--regrade grades everything again"
    assert _gradebook_submissions(course) == [("blank", "toy"), ("good", "toy"), ("wrong", "toy")], \
        "one record per submission, however often it was graded"


def _cli(course: Course, *args: str) -> list[str]:
    return [sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "grade", *args]


def test_killing_the_coordinator_midway_loses_nothing_and_records_nothing_twice(tmp_path):
    course = make_toy_course(tmp_path / "course", config_text=SHORT_CELLS)
    incoming = _write(course, ("good", "wrong", "blank", "loops"))
    for extra in ("good2", "good3"):
        submissions.write(incoming, extra, "toy", submissions.build(course, "toy"))
    limits = ["--max-seconds", "20", "--memory-mb", "2048"]
    coordinator = subprocess.Popen(_cli(course, str(incoming), "--jobs", "1", *limits), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
    printed = []
    for line in coordinator.stdout:
        if re.match(r"^\S+ / toy: ", line):
            printed.append(line.split(" / ")[0])
            if len(printed) == 2:
                break
    coordinator.send_signal(signal.SIGKILL)  # no clean-up of any kind
    coordinator.wait(timeout=30)
    assert len(printed) == 2, "the coordinator graded two submissions before it was killed"

    rerun = subprocess.run(_cli(course, str(incoming), "--jobs", "1", *limits), capture_output=True, text=True,
                           timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    skipped = int(re.search(r"^(\d+) submission\(s\) already graded", rerun.stdout, re.M).group(1))
    graded_now = re.findall(r"^(\S+) / toy: ", rerun.stdout, re.M)
    # The ledger row follows the record: the submission in flight when the kill came may be graded again.
    assert skipped >= 1 and skipped + len(graded_now) == 6, rerun.stdout
    assert not set(graded_now) & set(printed[:skipped]), "a recorded submission is not graded again"
    assert _gradebook_submissions(course) == sorted((s, "toy") for s in
                                                    ("blank", "good", "good2", "good3", "loops", "wrong"))
    with open(course.reports_dir / "grades.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["student"] for row in rows) == ["blank", "good", "good2", "good3", "loops", "wrong"]
    assert {row["student"]: row["score"] for row in rows}["wrong"] == "1"


def test_a_worker_killed_mid_batch_costs_nothing(tmp_path, cluster):
    course = make_toy_course(tmp_path / "courses" / "course", config_text=SHORT_CELLS)
    names = ("good", "wrong", "blank")
    incoming = _write(course, names)
    for extra in ("good2", "good3"):
        submissions.write(incoming, extra, "toy", submissions.build(course, "toy"))
    killed = []

    def kill_soon(batch) -> None:
        def kill() -> None:
            time.sleep(4)  # both workers are inside a notebook by now (each takes several seconds)
            killed.append(cluster.kill_worker(0))
        threading.Thread(target=kill, daemon=True).start()

    results = grading.grade_all(course, incoming, scheduler=cluster.address, started=kill_soon, **OPTIONS)
    assert killed, "the worker was killed during the batch"
    assert {r.student: (r.status, r.score) for r in results} == {
        "good": ("graded", 3.0), "good2": ("graded", 3.0), "good3": ("graded", 3.0), "wrong": ("graded", 1.0),
        "blank": ("graded", 0.0)}, "\n".join(f"{r.student}: {r.reason}" for r in results)
    assert _gradebook_submissions(course) == sorted((s, "toy") for s in ("blank", "good", "good2", "good3", "wrong"))


def test_a_submission_that_kills_every_worker_ends_crashed_and_the_rest_is_graded(tmp_path):
    hidden = tmp_path / "courses"
    course = make_toy_course(hidden / "course", config_text=SHORT_CELLS)
    incoming = _write(course, ("good", "wrong"))
    poison = submissions.build(course, "toy", {"slow__solution": "def slow():\n    return 'KILL-THE-DASK-WORKER'"})
    submissions.write(incoming, "poison", "toy", poison)
    preload = str(Path(__file__).with_name("dask_fault_preload.py"))
    with DaskCluster(tmp_path / "dask", 2, preload=[preload]) as cluster:
        results = grading.grade_all(course, incoming, scheduler=cluster.address, **OPTIONS)
        alive = len(cluster.wait_for_workers())
    by_student = {r.student: r for r in results}
    assert (by_student["poison"].status, by_student["poison"].score) == ("crashed", 0.0)
    assert "worker that graded this submission died" in by_student["poison"].reason, by_student["poison"].reason
    assert (by_student["good"].status, by_student["good"].score) == ("graded", 3.0)
    assert (by_student["wrong"].status, by_student["wrong"].score) == ("graded", 1.0)
    assert alive == 2, "the nannies restarted the workers the submission killed: the cluster is still whole"
    again = grading.grade_all(course, incoming, jobs=1, **OPTIONS)
    assert {r.student: r.status for r in again}["poison"] == "crashed", "recorded: not sent to kill workers again"


def test_grades_land_in_postgresql_through_a_restart_and_nbgrader_exports_them(tmp_path):
    require_postgres()
    with PostgresServer(tmp_path / "pg") as server:
        root = tmp_path / "course"
        make_toy_course(root, config_text=SHORT_CELLS, release=False)
        course = Course(root.resolve(), server.url)
        released = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(root), "release", "toy",
                                   "--db-url", server.url], capture_output=True, text=True, timeout=300)
        assert released.returncode == 0, released.stdout + released.stderr
        incoming = _write(course, ("good", "wrong", "blank"))
        retries, restarted = [], []

        def stop_then_start_later(result) -> None:
            if restarted:
                return
            server.stop()  # the next record meets no database
            restarted.append(result.student)
            threading.Timer(8, server.start).start()

        results = grading.grade_all(course, incoming, jobs=1, progress=stop_then_start_later,
                                    warn=retries.append, **OPTIONS)
        assert restarted and any("did not answer" in text for text in retries), retries
        assert {r.student: (r.status, r.score) for r in results} == {
            "good": ("graded", 3.0), "wrong": ("graded", 1.0), "blank": ("graded", 0.0)}
        assert not (root / "gradebook.db").exists(), "nothing went to a sqlite gradebook"

        export = course.nbgrader("export", "--to=" + str(tmp_path / "grades.csv"))  # with the course's db_url
        assert export.returncode == 0, export.stdout + export.stderr
        rows = {row["student_id"]: float(row["raw_score"])
                for row in csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text()))}
        assert rows == {"good": 3.0, "wrong": 1.0, "blank": 0.0}

        rerun = subprocess.run(_cli(course, str(incoming), "--db-url", server.url, "--max-seconds", "20",
                                    "--memory-mb", "2048"), capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        graded_again = re.findall(r"^\S+ / toy: ", rerun.stdout, re.M)
        assert "3 submission(s) already graded" in rerun.stdout and not graded_again, \
            "the ledger lives in PostgreSQL too: nothing is graded twice"
