#!/usr/bin/env python3
"""The README's commands.

    python3 quickstart.py demo    release every assignment, grade reference students, print the summary
    python3 quickstart.py test    run the test suite
    python3 quickstart.py setup   only make ./.venv (for contributors: pre-commit's hooks use it)
    python3 quickstart.py bench   measure notebooks, grading throughput and training speed (about 15 min)

Each creates ./.venv and installs the course into it when missing or out of date
(the stamp is a hash of pyproject.toml), so a fresh clone needs nothing else.
Arguments after the command go to `dgmcourse demo`, to pytest or to `dgmcourse bench`.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".dgmcourse-installed"
KERNEL = "dgmcourse"
KERNEL_SPEC = VENV / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json"
# torch first and pinned: resolving it through the package's requirements alone would
# let pip choose a build; the pin matches pyproject.toml.
TORCH = "torch==2.13.0"


def venv_python() -> Path:
    return VENV / "bin" / "python"


def wanted_stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    if not (3, 11) <= sys.version_info[:2] <= (3, 13):
        sys.exit(f"quickstart: Python 3.11, 3.12 or 3.13 is required (this is {sys.version.split()[0]}); "
                 "run it with one of those interpreters")
    if not venv_python().exists():
        print(f"quickstart: creating {VENV.relative_to(ROOT)}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text().strip() == wanted_stamp() and KERNEL_SPEC.is_file():
        return
    print("quickstart: installing the course and its pinned dependencies (first run takes a few minutes)",
          flush=True)
    # -qq: the machine-wide pip configuration can print pages of harmless warnings.
    pip = [str(venv_python()), "-m", "pip", "install", "-qq"]
    subprocess.run(pip + [TORCH], check=True)
    subprocess.run(pip + ["-e", f"{ROOT}[test]"], check=True)
    # The notebooks name the `dgmcourse` kernel, as on the hub; here it is this venv's Python.
    subprocess.run([str(venv_python()), "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL,
                    "--display-name", "Python 3 (dgmcourse)"], check=True, stdout=subprocess.DEVNULL)
    STAMP.write_text(wanted_stamp() + "\n")


def ensure_sandbox_tool() -> None:
    """Grading runs student code inside bubblewrap; install it where we may (root with apt-get)."""
    if shutil.which("bwrap"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("quickstart: installing bubblewrap (the grading sandbox) with apt-get", flush=True)
        quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["apt-get", "update", "-qq"], **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", "bubblewrap"], **quiet,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not shutil.which("bwrap"):
        print("quickstart: bubblewrap (bwrap) is not installed, so grading cannot sandbox student code.\n"
              "  The demo grades only the course's own reference code and runs without it (with a warning);\n"
              "  the sandbox tests are skipped. Install it with your system's package manager\n"
              "  (Debian/Ubuntu: sudo apt-get install bubblewrap).", flush=True)


def course_environment() -> dict[str, str]:
    env = dict(os.environ)
    # nbgrader shells out to `alembic` and `jupyter`: the venv's bin/ must come first on PATH.
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env.setdefault("MPLBACKEND", "Agg")
    shared_mnist = ROOT.parent / "shared" / "data" / "mnist"
    if shared_mnist.is_dir():
        env.setdefault("DGMCOURSE_MNIST_DIR", str(shared_mnist))
    return env


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "bench", "setup"):
        print(__doc__)
        return 2
    ensure_environment()
    ensure_sandbox_tool()
    if argv[0] == "setup":
        print(f"quickstart: {VENV.relative_to(ROOT)} is ready")
        return 0
    command, rest = argv[0], argv[1:]
    if command in ("demo", "bench"):
        cmd = [str(VENV / "bin" / "dgmcourse"), command, *rest]
    else:
        cmd = [str(venv_python()), "-m", "pytest", *rest]
    return subprocess.run(cmd, cwd=ROOT, env=course_environment()).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
