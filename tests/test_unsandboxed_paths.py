"""Every way nbgrader can run a student's notebook from the course directory is sandboxed or refused.

The formgrader's Autograde button runs the same ``Autograde`` converter as plain
``nbgrader autograde``; an instructor may also run ``nbgrader validate`` on a submission.
Each would start an ordinary kernel as the instructor. The probe below is the student
code: it writes a marker file naming its uid. It must never run outside the sandbox
unless the instructor opts out, and then nbgrader's output must say so.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dgmcourse.instructor import grading, submissions
from dgmcourse.instructor.sandbox.sandbox_only import OPT_OUT_ENV

from conftest import instructor_user_config, make_toy_course


def _probe_submission(course, student: str, marker: Path) -> None:
    probe = (f"import os\ntry:\n    open({str(marker)!r}, 'w').write(str(os.getuid()))\n"
             "except OSError:\n    pass  # in the sandbox the host's folders are not there\n"
             "def add(a, b):\n    return a + b")
    notebooks = submissions.build(course, "toy", {"add__solution": probe})
    submissions.write(course.root / "submitted", student, "toy", notebooks)


def _nbgrader(course, *args: str, opt_out: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != OPT_OUT_ENV}
    if opt_out:
        env[OPT_OUT_ENV] = "1"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course.root, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_plain_autograde_is_refused_and_says_to_use_dgmcourse_grade(tmp_path):
    course = make_toy_course(tmp_path / "course")
    marker = tmp_path / "probe-ran"
    _probe_submission(course, "mallory", marker)
    done = _nbgrader(course, "autograde", "toy", "--force")
    output = done.stdout + done.stderr
    assert not marker.exists(), "student code ran outside the sandbox under plain nbgrader autograde"
    assert "refused to start a kernel" in output and "dgmcourse grade" in output, output[-3000:]
    assert OPT_OUT_ENV in output, "the refusal must name the opt-out"


def test_a_kernel_manager_named_on_the_command_line_does_not_get_around_the_refusal(tmp_path):
    course = make_toy_course(tmp_path / "course")
    marker = tmp_path / "probe-ran"
    _probe_submission(course, "mallory", marker)
    done = _nbgrader(course, "autograde", "toy", "--force",
                     "--Execute.kernel_manager_class=jupyter_client.manager.AsyncKernelManager")
    assert not marker.exists()
    assert "not the course's SandboxOnlyKernelManager" in done.stdout + done.stderr, (done.stdout + done.stderr)[-2000:]


def test_instructor_validate_on_a_submission_is_refused(tmp_path):
    course = make_toy_course(tmp_path / "course")
    marker = tmp_path / "probe-ran"
    _probe_submission(course, "mallory", marker)
    done = _nbgrader(course, "validate", "submitted/mallory/toy/toy.ipynb")
    assert not marker.exists(), "student code ran outside the sandbox under the instructor's nbgrader validate"
    assert "refused to start a kernel" in done.stdout + done.stderr, (done.stdout + done.stderr)[-3000:]


def test_instructor_validate_of_the_masters_and_release_still_runs(tmp_path):
    course = make_toy_course(tmp_path / "course")
    done = _nbgrader(course, "validate", "source/toy/toy.ipynb")
    assert "refused" not in done.stdout + done.stderr and "Success" in done.stdout, done.stdout + done.stderr
    done = _nbgrader(course, "validate", "release/toy/toy.ipynb")
    assert "refused" not in done.stdout + done.stderr and "VALIDATION FAILED" in done.stdout, done.stdout


def test_the_opt_out_runs_unsandboxed_and_says_so(tmp_path):
    course = make_toy_course(tmp_path / "course")
    marker = tmp_path / "probe-ran"
    _probe_submission(course, "mallory", marker)
    done = _nbgrader(course, "autograde", "toy", "--force", opt_out=True)
    assert marker.exists(), (done.stdout + done.stderr)[-3000:]
    assert "WITHOUT the grading sandbox" in done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")
def test_dgmcourse_grade_still_grades_in_the_sandbox(tmp_path):
    course = make_toy_course(tmp_path / "course")
    marker = tmp_path / "probe-ran"
    _probe_submission(course, "mallory", marker)
    result = grading.grade_submission(course, course.root / "submitted", "mallory", "toy", feedback=False)
    assert not marker.exists(), "the sandbox must not see the host's folders"
    assert result.cell("add__tests").score == 2.0, result


def test_jupyterlabs_validate_button_on_a_submission_is_refused(tmp_path):
    """The Validate button's request, to a real server of the instructor configured as the README says.

    The validate extension reads the Jupyter config paths and the server's folder, never the
    course's own nbgrader_config.py, so the instructor's user config must carry the guard.
    """
    import socket
    import time
    import urllib.parse
    import urllib.request

    home = tmp_path / "home"
    course = make_toy_course(home / "dgmcourse")
    marker = tmp_path / "probe-ran"
    _probe_submission(course, "mallory", marker)
    (home / ".jupyter").mkdir(parents=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(instructor_user_config(course.root))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != OPT_OUT_ENV}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "server", f"--port={port}", "--ip=127.0.0.1",
                               "--no-browser", "--IdentityProvider.token=tok", "--allow-root",
                               f"--ServerApp.root_dir={home}"], cwd=home, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/assignments/validate",
            data=urllib.parse.urlencode({"path": "dgmcourse/submitted/mallory/toy/toy.ipynb"}).encode(),
            headers={"Authorization": "token tok"}, method="POST")
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = urllib.request.urlopen(request, timeout=200).read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not marker.exists(), "the Validate button ran student code as the instructor"
    assert "refused to start a kernel" in answer, answer[:2000]
