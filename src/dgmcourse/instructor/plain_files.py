"""Reading files of a submission without ever following a link out of it.

A submission folder can hold symbolic links (absolute, relative, to folders, dangling)
and, where the file system allows it, hard links to course files. Everything that
copies submission files (staging, the kernel launcher) opens them here: with
``O_NOFOLLOW``, and checks the open descriptor with ``fstat``, so that only a plain
file with a single link is read, and a file swapped for a link between a check and
the open is refused too.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


def why_not_plain(path: Path) -> str | None:
    """None for a plain file with one link; otherwise what it is, in words."""
    try:
        info = os.lstat(path)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder"
    if not stat.S_ISREG(info.st_mode):
        return "is not a plain file"
    if info.st_nlink != 1:
        return f"is a hard link ({info.st_nlink} names for one file)"
    return None


def open_plain_file(path: Path) -> int | None:
    """A read-only descriptor of ``path`` if it is a plain file with one link, else None."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(descriptor)
        return None
    return descriptor


def read_plain_file(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a plain file with one link, else None."""
    descriptor = open_plain_file(path)
    if descriptor is None:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read()


def link_in_path(path: Path, below: Path) -> Path | None:
    """The first component of ``path`` under ``below`` that is a symbolic link, or None."""
    current = below
    for part in path.relative_to(below).parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


# Files Python would import from the kernel's working folder, shadowing a real module
# (an uploaded ``ipykernel_launcher.py`` or ``numpy.py`` runs before any check does).
IMPORTABLE = (".py", ".pyc", ".pyo", ".pyw", ".pyd", ".so", ".pth", ".egg", ".whl")


def importable(path: Path) -> bool:
    return path.suffix.lower() in IMPORTABLE or ".cpython-" in path.name or ".abi3." in path.name
