"""What a sandboxed kernel may use, written as JSON for the kernel launcher to read."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

SETTINGS_ENV = "DGMCOURSE_SANDBOX_SETTINGS"


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start here; the message says why and what to do."""


@dataclass
class SandboxSettings:
    """Limits and mounts for one submission's kernel.

    ``scratch`` is the kernel's working directory, a sized tmpfs and the only place it may
    write besides a private /tmp and /dev/shm; ``runtime`` holds the connection file and
    sockets (a host folder: the grader connects through it).
    ``read_only`` lists host paths the kernel may read: the Python installation,
    the course package, data folders. Nothing else of the host is visible.
    """
    scratch: str
    runtime: str
    read_only: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    memory_mb: int = 6144
    max_processes: int = 256
    max_file_mb: int = 512
    # Every tmpfs the kernel can write is sized: they live in RAM, outside the address-space limit.
    tmp_mb: int = 512
    shm_mb: int = 256
    scratch_mb: int = 1024
    # Made by the grader (cgroups.py) before the kernel starts; the launcher only joins them.
    cgroups: list[str] = field(default_factory=list)
    cgroup_limits: list[str] = field(default_factory=list)
    # Files copied into the scratch tmpfs: path inside scratch -> host file (read by the launcher).
    files: dict[str, str] = field(default_factory=dict)
    uid: int = 65534
    gid: int = 65534

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), indent=1))
        return path

    @classmethod
    def from_environment(cls) -> "SandboxSettings":
        location = os.environ.get(SETTINGS_ENV)
        if not location:
            raise SandboxUnavailable(f"${SETTINGS_ENV} is not set: this kernel must be started by dgmcourse grade")
        return cls(**json.loads(Path(location).read_text()))
