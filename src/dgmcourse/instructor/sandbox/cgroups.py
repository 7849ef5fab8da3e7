"""Cgroups that bound a sandboxed kernel's processes and memory, owned by the grader.

``RLIMIT_NPROC`` does not bind a task whose real user is root, and ``RLIMIT_AS`` does not
count files a kernel writes to a tmpfs (they live in the host's RAM). A pids cgroup and a
memory cgroup bind every task in them, whoever runs it, and a memory cgroup is charged
for the tmpfs pages its tasks write.

The grader creates the cgroups before the kernel starts and names them in the sandbox
settings file, which lives outside everything the kernel can write; the kernel launcher
only joins them. After grading, the grader kills whatever is left in them and removes
them, whatever happened to the kernel or the grading worker. Nothing the kernel can
write is ever read back as a path: every path acted on is rebuilt from the controller's
own folder and checked against the name pattern below. ``sweep_leftovers`` removes
cgroups of graders that died before they could clean up.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "dgmcourse-kernel-"
# dgmcourse-kernel-<grader pid>-<random token>; nothing else is ever removed.
NAME = re.compile(rf"^{re.escape(PREFIX)}(\d+)-([0-9a-f]{{16}})$")


def _mounts() -> list[tuple[Path, str, str, set[str]]]:
    """(mount point, root inside the hierarchy, fs type, options) of every cgroup mount."""
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        before, _, after = line.partition(" - ")
        fields, rest = before.split(), after.split()
        if len(fields) < 5 or len(rest) < 3 or rest[0] not in ("cgroup", "cgroup2"):
            continue
        found.append((Path(fields[4]), fields[3], rest[0], set(rest[2].split(","))))
    return found


def _own_path(controller: str, version: int) -> str | None:
    for entry in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = entry.split(":", 2)
        if version == 2 and entry.startswith("0::"):
            return path
        if version == 1 and controller in controllers.split(","):
            return path
    return None


def controller_parent(controller: str) -> Path | None:
    """The folder in which this process may create a cgroup with ``controller``, or None."""
    for mount_point, root, fstype, options in _mounts():
        if fstype == "cgroup" and controller in options:
            own = _own_path(controller, 1)
        elif fstype == "cgroup2":
            own = _own_path(controller, 2)
        else:
            continue
        if own is None:
            continue
        candidates = []
        relative = os.path.relpath(own, root) if own.startswith(root) else None
        if relative is not None:
            candidates.append(mount_point / ("" if relative == "." else relative))
        candidates.append(mount_point)  # containers often show their own cgroup as the mount's root
        for parent in candidates:
            if not parent.is_dir():
                continue
            if fstype == "cgroup2":
                enabled = parent / "cgroup.subtree_control"
                if not (enabled.exists() and controller in enabled.read_text().split()):
                    continue
            if os.access(parent, os.W_OK):
                return parent
    return None


@dataclass
class KernelCgroups:
    """The cgroups of one kernel: what was made, and which limits they carry."""
    paths: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)  # e.g. ["pids", "memory"]

    def join(self, pid: int) -> None:
        """Move ``pid`` (the kernel launcher, before it becomes the sandbox) into every cgroup."""
        for path in self.paths:
            Path(path, "cgroup.procs").write_text(str(pid))

    def remove(self) -> None:
        """Kill what is left in the cgroups and remove them. Safe to call more than once."""
        for path in self.paths:
            remove_cgroup(Path(path))


def _tasks(group: Path) -> list[int]:
    try:
        return [int(p) for p in (group / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _validated(group: Path) -> Path | None:
    """``group`` itself if it is one of ours in a real cgroup folder; None otherwise."""
    if group.is_symlink() or not NAME.match(group.name):
        return None
    parent = group.parent
    if not (parent / "cgroup.procs").exists() or not (group / "cgroup.procs").exists():
        return None
    return group


def remove_cgroup(group: Path, wait: float = 30.0) -> bool:
    """Kill every task in one of our cgroups, then remove it; True when it is gone.

    A killed task stays listed until its parent reaps it, which can take seconds on a loaded
    machine (a sandbox's processes are reparented when it dies), hence the wait.
    """
    if not group.exists():
        return True
    if _validated(group) is None:
        return False
    deadline = time.monotonic() + wait
    while True:
        if (group / "cgroup.kill").exists():  # cgroup v2: one write kills the whole tree
            try:
                (group / "cgroup.kill").write_text("1")
            except OSError:
                pass
        for pid in _tasks(group):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.rmdir(group)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def create(max_tasks: int, memory_bytes: int) -> KernelCgroups:
    """Make a pids and a memory cgroup (one v2 cgroup holds both) for a kernel, where possible."""
    made = KernelCgroups()
    name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(8)}"
    settings = {"pids": [("pids.max", str(max_tasks))],
                "memory": [("memory.limit_in_bytes", str(memory_bytes)), ("memory.max", str(memory_bytes)),
                           ("memory.swap.max", "0")]}
    for controller in ("pids", "memory"):
        parent = controller_parent(controller)
        if parent is None:
            continue
        group = parent / name
        try:
            group.mkdir(exist_ok=True)
            wrote = False
            for key, value in settings[controller]:
                if (group / key).exists():
                    try:
                        (group / key).write_text(value)
                        wrote = wrote or key != "memory.swap.max"
                    except OSError:
                        pass
            if not wrote:
                raise OSError(f"could not set the {controller} limit")
        except OSError:
            remove_cgroup(group)
            continue
        if str(group) not in made.paths:
            made.paths.append(str(group))
        made.limits.append(controller)
    return made


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (another user's process counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ours(controller: str) -> list[Path]:
    parent = controller_parent(controller)
    if parent is None:
        return []
    return sorted(p for p in parent.iterdir() if NAME.match(p.name))


def sweep_leftovers(include_own: bool = False) -> int:
    """Remove the cgroups of graders that are no longer running (killed before they cleaned up).

    ``include_own``: also this process's, for a grader whose kernels are all done (end of a run).
    """
    removed = 0
    for controller in ("pids", "memory"):
        for group in ours(controller):
            owner = int(NAME.match(group.name).group(1))
            if (owner == os.getpid() and include_own) or (owner != os.getpid() and not process_alive(owner)):
                removed += remove_cgroup(group)
    return removed


def count_ours(owner: int | None = None) -> int:
    """How many of our cgroups exist now, in every controller; only ``owner``'s when given."""
    return sum(1 for controller in ("pids", "memory") for group in ours(controller)
               if owner is None or int(NAME.match(group.name).group(1)) == owner)


def fallback_note(max_tasks: int, memory_mb: int, tmpfs_mb: int) -> str:
    """What binds a kernel here when a cgroup cannot be made, in words; "" when both can."""
    probe = create(max_tasks, memory_mb * 1024 * 1024)
    probe.remove()
    notes = []
    if "pids" not in probe.limits:
        notes.append("no pids cgroup can be made here: a kernel's processes are limited by RLIMIT_NPROC, "
                     "which does not bind a grader running as root")
    if "memory" not in probe.limits:
        notes.append(f"no memory cgroup can be made here: a kernel can hold its {memory_mb} MiB address-space "
                     f"limit plus {tmpfs_mb} MiB in its sized tmpfs mounts")
    return "; ".join(notes)
