"""The sandboxed ``python3`` kernelspec and a check that the sandbox can start at all."""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import dgmcourse
from dgmcourse.instructor.sandbox.settings import SandboxSettings, SandboxUnavailable

# The course's notebooks name the `dgmcourse` kernel (the hub registers it; see the README).
# The sandbox answers to that name and to `python3`, the default of a notebook made elsewhere:
# whichever name nbgrader looks up while grading, it finds the sandboxed launcher first.
KERNEL_NAMES = ("dgmcourse", "python3")


def python_paths() -> list[str]:
    """Host folders the kernel's Python needs to read: the interpreter, the venv, the packages."""
    paths = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
             sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    # The course package itself (an editable install lives in the course's src/, never the whole course).
    paths.add(str(Path(dgmcourse.__file__).resolve().parent.parent))
    return sorted(p for p in paths if p and os.path.exists(p))


def write_kernelspec(folder: Path) -> Path:
    """Write ``folder/kernels/<name>/kernel.json`` for each of KERNEL_NAMES; put ``folder`` first on
    JUPYTER_PATH to use them."""
    spec = {"argv": [sys.executable, "-m", "dgmcourse.instructor.sandbox.launch_kernel", "{connection_file}"],
            "display_name": "Python 3 (grading sandbox)", "language": "python",
            # A SIGINT would reach bwrap, which does not pass it on; a message reaches ipykernel,
            # which interrupts itself inside the sandbox.
            "interrupt_mode": "message"}
    for name in KERNEL_NAMES:
        spec_dir = folder / "kernels" / name
        spec_dir.mkdir(parents=True, exist_ok=True)
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folder


def prepare_dirs(settings: SandboxSettings) -> None:
    """Create the runtime folder (the kernel's sockets), private to the grading user."""
    os.makedirs(settings.runtime, exist_ok=True)
    os.chmod(settings.runtime, 0o700)


def probe(settings: SandboxSettings) -> None:
    """Start a trivial sandbox with the same options as a kernel; raise SandboxUnavailable if it fails."""
    if shutil.which("bwrap") is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed. Install it (Debian/Ubuntu: apt-get install bubblewrap) or, "
            "on a machine that holds nothing but the course, pass --unsafe to grade without a sandbox.")
    from dgmcourse.instructor.sandbox import cgroups
    from dgmcourse.instructor.sandbox.launch_kernel import bwrap_command, set_limits

    prepare_dirs(settings)
    made = cgroups.create(settings.max_processes, settings.memory_mb * 1024 * 1024)
    settings.cgroups, settings.cgroup_limits = made.paths, made.limits
    command = bwrap_command(settings, "/dev/null")
    command = command[:command.index(sys.executable)] + [sys.executable, "-c", "import ipykernel"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, preexec_fn=lambda: set_limits(settings),
                              timeout=120)
    finally:
        made.remove()
    if done.returncode != 0:
        raise SandboxUnavailable(
            "the grading sandbox (bubblewrap) cannot start here:\n  " + (done.stderr.strip() or done.stdout.strip())
            + "\nUnprivileged user namespaces may be disabled (see the README section 'What grading defends "
              "against'). Grade as root, enable user namespaces, or pass --unsafe on a machine that holds "
              "nothing but the course.")
