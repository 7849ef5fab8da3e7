"""The grader's cgroups: made and removed by the grader, never a path a kernel could name, none left behind."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_toy_course
from dgmcourse.instructor import submissions
from dgmcourse.instructor.sandbox import cgroups

pids_parent = cgroups.controller_parent("pids")
needs_cgroups = pytest.mark.skipif(pids_parent is None, reason="no pids cgroup can be made here (not root?)")


@needs_cgroups
def test_a_kernels_cgroups_are_made_with_limits_and_removed_with_their_processes():
    made = cgroups.create(max_tasks=17, memory_bytes=300 * 1024 * 1024)
    assert "pids" in made.limits
    pids = next(Path(p) for p in made.paths if Path(p).parent == pids_parent)
    assert (pids / "pids.max").read_text().strip() == "17"
    if "memory" in made.limits:
        memory = next(Path(p) for p in made.paths if "memory" in str(p))
        limit = memory / "memory.limit_in_bytes"
        limit = limit if limit.exists() else memory / "memory.max"
        assert int(limit.read_text()) == 300 * 1024 * 1024
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    made.join(sleeper.pid)
    assert str(sleeper.pid) in (pids / "cgroup.procs").read_text().split()
    made.remove()
    assert sleeper.wait(timeout=10) == -signal.SIGKILL, "what is left in a kernel's cgroup is killed"
    assert not any(Path(p).exists() for p in made.paths)


@needs_cgroups
def test_only_our_own_cgroups_are_ever_removed(tmp_path):
    victim = tmp_path / "empty-host-folder"
    victim.mkdir()
    assert cgroups.remove_cgroup(victim) is False and victim.is_dir()
    lookalike = tmp_path / f"{cgroups.PREFIX}1-0123456789abcdef"  # our name, but not in a cgroup folder
    lookalike.mkdir()
    assert cgroups.remove_cgroup(lookalike) is False and lookalike.is_dir()


@needs_cgroups
def test_leftovers_of_a_dead_grader_are_swept_and_a_live_graders_are_not():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = pids_parent / f"{cgroups.PREFIX}{dead.pid}-{'a' * 16}"
    mine = pids_parent / f"{cgroups.PREFIX}{os.getpid()}-{'b' * 16}"
    orphan.mkdir()
    mine.mkdir()
    try:
        assert cgroups.sweep_leftovers() >= 1
        assert not orphan.exists(), "the cgroup of a grader that died is removed"
        assert mine.exists(), "a running grader's cgroup is left alone"
    finally:
        for group in (orphan, mine):
            if group.exists():
                group.rmdir()


@needs_cgroups
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")
def _occupied(owner: int) -> bool:
    """Whether a cgroup of ``owner``'s holds an ipykernel process."""
    for controller in ("pids", "memory"):
        for group in cgroups.ours(controller):
            if int(cgroups.NAME.match(group.name).group(1)) != owner:
                continue
            try:
                pids = (group / "cgroup.procs").read_text().split()
            except OSError:
                continue
            for pid in pids:
                try:
                    if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        return True
                except OSError:
                    pass
    return False


def test_a_killed_grader_leaves_nothing_once_the_next_run_starts(tmp_path):
    course = make_toy_course(tmp_path / "course")
    incoming = course.root / "incoming"
    looping = submissions.build(course, "toy", {"slow__solution": "def slow():\n    while True:\n        pass"})
    submissions.write(incoming, "looper", "toy", looping)
    grader = subprocess.Popen([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "grade",
                               str(incoming)], start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # The kernel's cgroups, once the kernel is in them. The sandbox probe's come and go first, within
    # a second, and hold an ipykernel too: the kernel is what is there after the probe is long done.
    while not _occupied(grader.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)
    while not _occupied(grader.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _occupied(grader.pid), "the kernel's cgroups were never made"
    time.sleep(2)
    os.killpg(grader.pid, signal.SIGKILL)  # the grader, its workers and everything they started
    grader.wait()
    time.sleep(1)
    assert cgroups.count_ours(grader.pid) > 0, "a grader killed at once cannot clean up: this is what the sweep is for"
    submissions.write(incoming, "looper", "toy", submissions.build(course, "toy"))
    second = subprocess.Popen([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "grade",
                               str(incoming)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, _ = second.communicate(timeout=300)
    assert second.returncode == 0, output[-3000:]
    assert cgroups.count_ours(grader.pid) == 0, "the next run removes what the killed grader left"
    assert cgroups.count_ours(second.pid) == 0, "and leaves nothing of its own"


def test_every_tmpfs_the_kernel_can_write_is_sized():
    from dgmcourse.instructor.sandbox.launch_kernel import bwrap_command
    from dgmcourse.instructor.sandbox.settings import SandboxSettings

    settings = SandboxSettings(scratch="/tmp/x/scratch", runtime="/tmp/x/runtime", tmp_mb=5, shm_mb=6, scratch_mb=7)
    command = bwrap_command(settings, "/tmp/x/runtime/k.json")
    sized = {}
    for i, arg in enumerate(command):
        if arg == "--tmpfs":
            assert command[i - 2] == "--size", f"{command[i + 1]} is a tmpfs without a size"
            sized[command[i + 1]] = int(command[i - 1])
    mb = 1024 * 1024
    assert sized == {"/tmp": 5 * mb, "/dev/shm": 6 * mb, "/tmp/x/scratch": 7 * mb}
    binds = [command[i + 2] for i, arg in enumerate(command) if arg == "--bind"]
    assert binds == ["/tmp/x/runtime"], "the only host folder the kernel can write is its runtime folder"
    assert command[command.index("ipykernel_launcher") - 2] == "-P", "the working folder must not shadow modules"
