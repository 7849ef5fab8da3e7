"""The ledger's keys: what counts as a changed submission or changed settings, and its rows' round trip."""
from __future__ import annotations

import json
import os
import threading

import pytest

from dgmcourse.instructor import grading
from dgmcourse.instructor.grading_task import GradingOptions, shown_url
from dgmcourse.instructor.ledger import Ledger, settings_hash, submission_hash


def _folder(tmp_path, name="sub"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "a.ipynb").write_bytes(b'{"cells": []}')
    (folder / "timestamp.txt").write_text("2026-11-29 10:00:00 UTC")
    (folder / "data").mkdir()
    (folder / "data" / "x.csv").write_text("1,2\n")
    return folder


def test_the_submission_hash_sees_every_byte_name_and_link(tmp_path):
    first, second = _folder(tmp_path, "one"), _folder(tmp_path, "two")
    assert submission_hash(first) == submission_hash(second), "the same files give the same key"
    base = submission_hash(first)
    (second / "data" / "x.csv").write_text("1,3\n")
    assert submission_hash(second) != base, "a changed byte in a sub-folder"
    (second / "data" / "x.csv").write_text("1,2\n")
    assert submission_hash(second) == base
    (second / "timestamp.txt").write_text("2026-11-29 10:00:01 UTC")
    assert submission_hash(second) != base, "a resubmission at another time is another submission"
    (second / "timestamp.txt").write_text("2026-11-29 10:00:00 UTC")
    (second / "a.ipynb").rename(second / "b.ipynb")
    assert submission_hash(second) != base, "a renamed file"
    (second / "b.ipynb").rename(second / "a.ipynb")
    (second / "link").symlink_to("/etc/passwd")
    with_link = submission_hash(second)
    assert with_link != base
    (second / "link").unlink()
    (second / "link").symlink_to("/etc/hostname")
    assert submission_hash(second) not in (base, with_link), "a link is keyed by its target, never followed"


def test_the_submission_hash_never_waits_on_a_fifo(tmp_path):
    folder = _folder(tmp_path)
    os.mkfifo(folder / "pipe.ipynb")
    done = []
    worker = threading.Thread(target=lambda: done.append(submission_hash(folder)), daemon=True)
    worker.start()
    worker.join(10)
    assert done, "hashing a folder with a FIFO in it returned"


def test_settings_that_decide_a_grade_change_the_key_and_others_do_not():
    base = settings_hash("pack", GradingOptions().fingerprint())
    assert settings_hash("pack", GradingOptions(max_seconds=1800.0).fingerprint()) == base, \
        "--max-seconds 1800 is the default, not a change"
    assert settings_hash("pack", GradingOptions(kernel_threads=3).fingerprint()) == base, "threads change speed only"
    assert settings_hash("pack", GradingOptions(seed=1).fingerprint()) != base
    assert settings_hash("pack", GradingOptions(memory_mb=1024).fingerprint()) != base
    assert settings_hash("another test", GradingOptions().fingerprint()) != base, "a changed test"


def test_rows_round_trip_and_forget(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'gradebook.db'}")
    result = grading.GradeResult("bob", "toy", "graded", "", [grading.CellScore("toy.ipynb", "add__tests", 2.0, 2.0)],
                                 3.0, timing=grading.SubmissionTiming("2026-11-29 10:00:00 UTC", "", 0.0, 0.0))
    ledger.record("bob", "toy", "s" * 64, "t" * 64, result.status, result.to_dict())
    ledger.record("bob", "toy", "u" * 64, "t" * 64, result.status, result.to_dict())  # replaced, not added
    entries = ledger.entries()
    assert list(entries) == [("bob", "toy")] and entries["bob", "toy"].submission_sha256 == "u" * 64
    again = grading.GradeResult.from_dict(entries["bob", "toy"].result)
    assert again == result
    ledger.forget("bob", "toy")
    assert ledger.entries() == {}
    ledger.close()


@pytest.mark.parametrize("url", ["postgresql://grader:s3cret@db.example.org/gradebook",
                                 "postgresql+psycopg2://grader:s3cret@db.example.org:5432/gradebook?sslmode=require"])
def test_a_printed_database_url_has_no_password(url):
    shown = shown_url(url)
    assert "s3cret" not in shown and "db.example.org" in shown and "grader" in shown


def test_a_pack_carries_the_task_labels_but_no_solution(toy_course):
    from dgmcourse.instructor.preprocessors.task_labels import labels_by_grade_id

    pack = grading.pack_assignment(toy_course, "toy")
    skeleton = pack.label_skeletons["toy.ipynb"].decode()
    assert "BEGIN SOLUTION" not in skeleton and "return a + b" not in skeleton, "no solution code travels"
    master = grading.nb.load(toy_course.master_notebooks("toy")[0])
    assert labels_by_grade_id(json.loads(skeleton)) == labels_by_grade_id(master)
    assert pack.fingerprint == grading.pack_assignment(toy_course, "toy").fingerprint, "the same rows, the same key"


def test_a_worker_with_other_course_code_refuses_the_task(toy_course):
    """Version skew between the coordinator and a worker could change grades: the task is refused, not graded."""
    import dataclasses

    from dgmcourse.instructor.grading_task import SubmissionTask, WrongCourseVersion, run_task

    pack = dataclasses.replace(grading.pack_assignment(toy_course, "toy"), code="0" * 64)
    with pytest.raises(WrongCourseVersion, match="install the coordinator's version"):
        run_task(SubmissionTask("bob", "toy", {}), pack)


def test_one_files_bytes_cannot_pass_for_the_next_files_entry(tmp_path):
    """From the red team: with bytes hashed raw, a="xyz", b="C" and a="xyz\\0b\\0file\\0C" hashed the same."""
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    (first / "a").write_bytes(b"xyz")
    (first / "b").write_bytes(b"C")
    (second / "a").write_bytes(b"xyz\0b\0file\0C")
    assert submission_hash(first) != submission_hash(second)


def test_staging_copies_a_bounded_number_of_data_files_and_says_so(toy_course, tmp_path):
    from dgmcourse.instructor import submissions

    incoming = tmp_path / "incoming"
    folder = submissions.write(incoming, "many", "toy", submissions.build(toy_course, "toy"))
    for i in range(grading.MAX_DATA_FILES + 50):
        (folder / f"f{i:04d}.txt").write_text("")
    staged = grading.stage(toy_course, folder, tmp_path / "stage" / "many" / "toy", "toy")
    copied = [p for p in staged.folder.iterdir() if p.suffix == ".txt"]
    assert len(copied) == grading.MAX_DATA_FILES
    assert any("50 data file(s)" in item for item in staged.review), staged.review


def test_task_folders_of_killed_graders_are_swept_and_live_ones_kept(tmp_path, monkeypatch):
    import subprocess
    import tempfile

    from dgmcourse.instructor.grading_task import TASK_FOLDER_PREFIX, sweep_task_folders

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = tmp_path / f"{TASK_FOLDER_PREFIX}{gone.pid}-abc"
    alive = tmp_path / f"{TASK_FOLDER_PREFIX}{os.getpid()}-def"
    for folder in (dead, alive):
        (folder / "course").mkdir(parents=True)
    assert sweep_task_folders() == 1
    assert not dead.exists() and alive.exists()
