"""The README's commands that switch nbgrader's extensions per role, run as written.

The administrator's commands change this Python environment's Jupyter configuration
(``sys.prefix/etc/jupyter``) and the system level (``/usr/local/etc/jupyter``); the test
puts every file there back as it was. Users' folders are temporary (JUPYTER_CONFIG_DIR).
What counts is the effect: which server extensions a user's server loads, and which lab
plugins its page turns off.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jupyter_core.paths import SYSTEM_CONFIG_PATH

from conftest import readme_block

BIN = Path(sys.executable).parent
TOUCHED = [Path(sys.prefix) / "etc" / "jupyter", Path(SYSTEM_CONFIG_PATH[0])]

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="writes the system-level Jupyter folder: run as root (CI does)")


@pytest.fixture
def jupyter_folders():
    saved = {root: {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else None
             for root in TOUCHED}
    try:
        yield
    finally:
        for root, files in saved.items():
            if files is None:
                subprocess.run(["rm", "-rf", str(root)], check=False)
                continue
            for path in [p for p in root.rglob("*") if p.is_file() and p not in files]:
                path.unlink()
            for path, data in files.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)


def _shell(script: str, env: dict[str, str]) -> None:
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", script], env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{script}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def _user_env(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
                PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")


def _loaded_server_extensions(env: dict[str, str], root: Path) -> set[str]:
    """Start a Jupyter server as this user, read which nbgrader extensions it loads, stop it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(BIN / "jupyter"), "server", f"--port={port}", "--ip=127.0.0.1", "--no-browser",
                               "--IdentityProvider.token=t", "--allow-root", f"--ServerApp.root_dir={root}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 90
        for line in server.stdout:
            lines.append(line)
            if "http://127.0.0.1" in line or time.monotonic() > deadline:
                break
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = "".join(lines)
    assert "http://127.0.0.1" in log, log[-3000:]
    return {name for name in ("formgrader", "course_list", "assignment_list", "validate_assignment")
            if f"nbgrader.server_extensions.{name} | extension was successfully loaded" in log}


def _disabled_lab_plugins(env: dict[str, str]) -> set[str]:
    code = ("import json; from jupyterlab_server.config import get_static_page_config as g; "
            "print(json.dumps(g(level='all').get('disabledExtensions', {})))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    return {name for name, off in json.loads(done.stdout).items() if off and "nbgrader" in name}


def test_students_get_the_assignment_list_and_the_instructor_the_formgrader(jupyter_folders, tmp_path):
    admin = readme_block("As an\nadministrator, with the Jupyter that runs the users' servers on `PATH`:")
    instructor = readme_block("so that file is written directly):")
    _shell(admin, _user_env(tmp_path / "admin"))
    student, teacher = _user_env(tmp_path / "student"), _user_env(tmp_path / "instructor")
    _shell(instructor, teacher)

    assert _loaded_server_extensions(student, tmp_path) == {"assignment_list", "validate_assignment"}
    assert _disabled_lab_plugins(student) == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                                              "@jupyter/nbgrader:create-assignment"}
    assert _loaded_server_extensions(teacher, tmp_path) == {"formgrader", "course_list", "assignment_list",
                                                            "validate_assignment"}
    assert _disabled_lab_plugins(teacher) == set()
