"""Limiting how many processes a sandboxed kernel may start.

``RLIMIT_NPROC`` does not bind a task whose real user is root, which is what a sandbox
started by a root grader is on the host. A pids cgroup binds every task in it, whoever
runs it, so the launcher moves itself into a fresh one (cgroup v1 ``pids`` controller or
cgroup v2 with ``pids`` enabled) before it becomes the sandbox. Where no such cgroup can
be made, ``RLIMIT_NPROC`` is the fallback (effective for non-root graders).
"""
from __future__ import annotations

import os
from pathlib import Path

CGROUP_RECORD = "cgroup"  # file in the runtime folder naming the cgroup, for the grader to remove


def _pids_cgroup_parent() -> Path | None:
    """The folder in which this process may create a pids cgroup, or None."""
    mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    membership = Path("/proc/self/cgroup").read_text().splitlines()
    for line in mounts:
        fields = line.split(" - ")
        if len(fields) != 2:
            continue
        mount_point = Path(line.split()[4])
        fstype, _, options = fields[1].split()[:3]
        if fstype == "cgroup" and "pids" in options.split(","):
            for entry in membership:
                _, controllers, path = entry.split(":", 2)
                if "pids" in controllers.split(","):
                    return mount_point / path.lstrip("/")
        if fstype == "cgroup2":
            for entry in membership:
                if entry.startswith("0::"):
                    parent = mount_point / entry[3:].lstrip("/")
                    enabled = (parent / "cgroup.subtree_control")
                    if enabled.exists() and "pids" in enabled.read_text().split():
                        return parent
    return None


def enter_pids_cgroup(max_tasks: int, runtime: str) -> bool:
    """Move this process into a new cgroup limited to ``max_tasks`` tasks; False if impossible."""
    try:
        parent = _pids_cgroup_parent()
        if parent is None:
            return False
        group = parent / f"dgmcourse-kernel-{os.getpid()}"
        group.mkdir()
        (group / "pids.max").write_text(str(max_tasks))
        (group / "cgroup.procs").write_text(str(os.getpid()))
        Path(runtime, CGROUP_RECORD).write_text(str(group))
        return True
    except OSError:
        return False


def remove_recorded_cgroup(runtime: str) -> None:
    """Remove the cgroup a finished sandbox used (it is empty once its processes are gone)."""
    record = Path(runtime, CGROUP_RECORD)
    if record.exists():
        try:
            os.rmdir(record.read_text().strip())
        except OSError:
            pass
