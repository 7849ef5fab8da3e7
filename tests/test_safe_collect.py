"""``nbgrader collect`` with the course's SafeCollect: only plain files, from the student's own
folder, dated no earlier than its last change; one bad submission never stops the others.

Ownership (a submission in another student's name) is tested with real users in
test_hub_lifecycle.py; here every folder belongs to the user running the tests, so the
owner check is switched off.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dgmcourse.instructor.safe_collect import CLAIMED, MAX_DEPTH, SafeCollect

from conftest import make_toy_course

def _now() -> str:
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def _inbound(exchange: Path, student: str, stamp: str | None = None) -> Path:
    """A submission as `nbgrader submit` leaves it, made now (so its timestamp is honest)."""
    stamp = stamp or _now()
    folder = exchange / "deep-generative-models" / "inbound" / f"{student}+toy+{stamp}+abc"
    folder.mkdir(parents=True)
    (folder / "toy.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    (folder / "timestamp.txt").write_text(stamp)
    return folder


def _collect(course, exchange: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([sys.executable, "-m", "nbgrader", "collect", "toy", f"--Exchange.root={exchange}",
                           "--CollectApp.check_owner=False", *extra], cwd=course.root, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_links_fifos_deep_trees_large_files_and_bad_names_are_left_out_and_the_rest_collected(tmp_path):
    course = make_toy_course(tmp_path / "course")
    exchange = tmp_path / "exchange"
    secret = course.root / "source" / "toy" / "toy.ipynb"
    odd = _inbound(exchange, "odd")
    (odd / "master.ipynb").symlink_to(secret)
    (odd / "sub").mkdir()
    (odd / "sub" / "linked-folder").symlink_to(course.root / "source")
    os.mkfifo(odd / "blocker")
    deep = odd / "deep"
    for level in range(MAX_DEPTH + 4):
        deep = deep / f"d{level}"
    deep.mkdir(parents=True)
    (odd / "big.bin").write_bytes(b"x" * 50_000)
    (odd / "nbgrader_config.py").write_text("raise SystemExit('ran')")
    bad_name = exchange / "deep-generative-models" / "inbound" / "mallory+toy+not-a-time+x"
    bad_name.mkdir()
    _inbound(exchange, "plain")
    done = _collect(course, exchange, "--CourseDirectory.max_file_size=10")
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    plain = course.root / "submitted" / "plain" / "toy"
    assert sorted(p.name for p in plain.iterdir()) == ["timestamp.txt", "toy.ipynb"], "the good one is collected"
    got = course.root / "submitted" / "odd" / "toy"
    names = {str(p.relative_to(got)) for p in got.rglob("*")}
    assert "toy.ipynb" in names and "timestamp.txt" in names
    for left_out in ("master.ipynb", "blocker", "big.bin", "nbgrader_config.py", "sub/linked-folder"):
        assert left_out not in names, f"collect took {left_out}"
    assert max(n.count("/") for n in names) < MAX_DEPTH, "the deep tree was cut"
    assert "not named student+assignment+time+id" in log


def test_a_folder_swapped_for_a_link_mid_copy_does_not_redirect_the_copy(tmp_path):
    """The student renames their folder away and puts a link to the master in its place right after
    collect opened it: the copy goes on in the folder collect opened."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    course = make_toy_course(tmp_path / "course")
    exchange = tmp_path / "exchange"
    folder = _inbound(exchange, "mallory")
    master = course.root / "source" / "toy"

    class SwapAfterOpen(SafeCollect):
        def _copy_folder(self, folder_fd, shown, dest, depth):
            if depth == 0:
                folder.rename(folder.with_name("moved-away"))
                folder.symlink_to(master)
            return super()._copy_folder(folder_fd, shown, dest, depth)

    coursedir = CourseDirectory(root=str(course.root))
    collector = SwapAfterOpen(coursedir=coursedir, authenticator=Authenticator(), check_owner=False)
    dest = tmp_path / "submitted" / "mallory" / "toy"
    collector.do_copy(str(folder), str(dest))
    copied = (dest / "toy.ipynb").read_text()
    assert copied == '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', \
        "the master's contents were collected through the swapped-in link"


def test_a_timestamp_earlier_than_the_last_change_or_none_is_replaced_and_kept_for_review(tmp_path):
    course = make_toy_course(tmp_path / "course")
    exchange = tmp_path / "exchange"
    liar = _inbound(exchange, "liar")
    (liar / "timestamp.txt").write_text("2000-01-01 00:00:00 UTC")
    gone = _inbound(exchange, "gone")
    (gone / "timestamp.txt").unlink()
    _inbound(exchange, "honest")
    done = _collect(course, exchange)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    submitted = course.root / "submitted"
    for student, claimed in (("liar", "2000-01-01 00:00:00 UTC"), ("gone", "(no timestamp.txt)")):
        stamp = (submitted / student / "toy" / "timestamp.txt").read_text()
        assert stamp.startswith("2026-") or stamp[:4] >= "2026", stamp
        assert (submitted / student / "toy" / CLAIMED).read_text().strip() == claimed
    assert not (submitted / "honest" / "toy" / CLAIMED).exists(), "an honest timestamp was replaced"
