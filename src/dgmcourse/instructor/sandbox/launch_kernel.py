"""The command of the sandboxed kernelspec: ``python -m ... launch_kernel CONNECTION_FILE``.

jupyter_client runs this as "the kernel". It copies the connection file into the
private runtime folder, sets resource limits and replaces itself with ``bwrap``
running ipykernel as an unprivileged user in its own user namespace. Because it
``exec``s, the process that jupyter_client watches and kills is the sandbox itself.
"""
from __future__ import annotations

import os
import platform
import re
import resource
import shutil
import sys
from pathlib import Path

from dgmcourse.instructor.plain_files import importable, open_plain_file
from dgmcourse.instructor.sandbox.cgroups import KernelCgroups
from dgmcourse.instructor.sandbox.settings import SandboxSettings

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

# Host folders every Python needs, mounted read-only when they exist.
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives", "/etc/ssl",
               "/etc/fonts", "/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf")


def bwrap_command(settings: SandboxSettings, connection_file: str, kernel_args: tuple[str, ...] = (),
                  files: dict[str, int] | None = None) -> list[str]:
    """The bwrap command line; ``files`` maps a path inside scratch to an open descriptor to copy there."""
    mb = 1024 * 1024
    command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
               "--proc", "/proc", "--dev", "/dev",
               # Sized, because tmpfs pages are host RAM that RLIMIT_AS does not count.
               "--size", str(settings.tmp_mb * mb), "--tmpfs", "/tmp",
               "--size", str(settings.shm_mb * mb), "--tmpfs", "/dev/shm"]
    # Inside, the kernel is an unprivileged user with no capabilities on the host.
    command += ["--unshare-user", "--uid", str(settings.uid), "--gid", str(settings.gid)]
    mounted = set()
    for path in (*SYSTEM_DIRS, *settings.read_only):
        real = os.path.realpath(path)
        for source in {path, real}:
            if os.path.exists(source) and source not in mounted:
                command += ["--ro-bind", source, source]
                mounted.add(source)
    # The working directory is a sized tmpfs too: nothing the kernel writes reaches the host's disk
    # except through the runtime folder, which holds the sockets.
    command += ["--size", str(settings.scratch_mb * mb), "--tmpfs", settings.scratch,
                "--dir", os.path.join(settings.scratch, ".matplotlib")]
    for inside, descriptor in sorted((files or {}).items()):
        command += ["--file", str(descriptor), os.path.join(settings.scratch, inside)]
    command += ["--bind", settings.runtime, settings.runtime, "--chdir", settings.scratch, "--clearenv"]
    env = {"HOME": settings.scratch, "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
           "MPLCONFIGDIR": os.path.join(settings.scratch, ".matplotlib"), "PYTHONDONTWRITEBYTECODE": "1",
           **settings.env}
    for key, value in env.items():
        command += ["--setenv", key, value]
    # No history database: the kernel keeps no file of what ran (hidden tests included).
    # -P: the working folder is not put first on sys.path, so no file there can stand in for
    # ipykernel_launcher or any module it imports.
    command += [sys.executable, "-P", "-m", "ipykernel_launcher", "-f", connection_file,
                "--HistoryManager.enabled=False", *kernel_args]
    return command


def input_files(settings: SandboxSettings, folder: Path) -> dict[str, int]:
    """Descriptors of what the kernel gets in its working directory: data files and the font list."""
    files = {}
    # nbgrader starts the kernel in the autograded folder; bring along the assignment's data
    # files (never notebooks, links or anything but plain files).
    for entry in sorted(folder.iterdir()):
        if entry.suffix != ".ipynb" and SAFE_NAME.match(entry.name) and not importable(entry):
            descriptor = open_plain_file(entry)
            if descriptor is not None:
                files[entry.name] = descriptor
    for inside, host in settings.files.items():
        descriptor = open_plain_file(Path(host))
        if descriptor is not None:
            files[inside] = descriptor
    for descriptor in files.values():
        os.set_inheritable(descriptor, True)  # bwrap reads them after the exec; links never get here
    return files


def processes_of_this_user() -> int:
    """Tasks (processes and threads) the real user runs now, as RLIMIT_NPROC counts them."""
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry}/task"))
            except OSError:
                pass
    return count


def counts_per_user_namespace() -> bool:
    """Since Linux 5.14, RLIMIT_NPROC counts tasks per user namespace, so the sandbox starts at 0."""
    release = platform.release().split("-")[0].split(".")
    try:
        return (int(release[0]), int(release[1])) >= (5, 14)
    except (IndexError, ValueError):
        return False


def set_limits(settings: SandboxSettings) -> None:
    """Limits inherited by the sandbox: memory, tasks (processes and threads), file size, no core dumps.

    The grader's cgroups (when it could make them) bound tasks and memory, tmpfs included;
    the rlimits stay as a second line and as the fallback where no cgroup could be made.
    """
    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (settings.memory_mb * mb, settings.memory_mb * mb))
    KernelCgroups(settings.cgroups, settings.cgroup_limits).join(os.getpid())
    if "pids" not in settings.cgroup_limits:
        # RLIMIT_NPROC binds only non-root users; on older kernels it counts every task of the
        # real user, sandbox or not.
        nproc = settings.max_processes + (0 if counts_per_user_namespace() else processes_of_this_user())
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    resource.setrlimit(resource.RLIMIT_FSIZE, (settings.max_file_mb * mb, settings.max_file_mb * mb))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m dgmcourse.instructor.sandbox.launch_kernel CONNECTION_FILE [KERNEL ARGS]")
    settings = SandboxSettings.from_environment()
    private = Path(settings.runtime) / Path(argv[0]).name
    if private.resolve() != Path(argv[0]).resolve():  # the grader normally writes it there already
        shutil.copyfile(argv[0], private)
    command = bwrap_command(settings, str(private), tuple(argv[1:]), input_files(settings, Path.cwd()))
    set_limits(settings)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
