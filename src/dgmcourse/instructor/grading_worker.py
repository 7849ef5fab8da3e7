"""A long-lived process that runs nbgrader's autograde (and feedback) for one submission at a time.

Starting a Python that imports nbgrader costs 2-3 s, as long as grading a short notebook's
worth of overhead; ``dgmcourse bench`` measured one process per submission at 60 % slower
than plain ``nbgrader autograde``, which imports once for the whole class. So each grading
job keeps one worker: it imports nbgrader once and then grades the submissions it is sent.

The isolation that matters is unchanged: student code runs in the kernel (sandboxed),
never in the worker. The worker is only nbgrader's own code. If it hangs past the outer
limit or dies, the grader kills its whole process group, reports that submission as
timed out or crashed, and starts a fresh worker for the next one.

Protocol: one JSON object per line. The grader sends ``{"course_root", "assignment", "student",
"config": {Class: {trait: value}}, "env": {...}, "feedback": bool}`` (the course root is the
task's private course folder, ``grading_task.py``);
the worker answers ``{"success": bool, "log": str, "feedback": str | null}``: feedback is null
when none was asked for, "" when it was written, and otherwise what went wrong.
"""
from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"


# --- the worker (runs in its own process) --------------------------------------------------
def _course_config(course_root: str):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(CONFIG_FILE, path=course_root).load_config()


def _run_converter(converter_class, config, assignment: str, student: str, **attributes) -> dict:
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = assignment, student
    converter = converter_class(coursedir=coursedir, config=config)
    for name, value in attributes.items():
        setattr(converter, name, value)
    return capture_log(converter)  # the same call nbgrader's own API makes: never raises


def _make_pages_safe(folder: Path) -> None:
    """No script, handler or remote resource in a feedback page (nor a URL a formula carried)."""
    from dgmcourse.instructor.html_safety import make_page_safe

    for page in folder.glob("*.html"):
        if page.is_file() and not page.is_symlink():
            page.write_text(make_page_safe(page.read_text(encoding="utf-8")), encoding="utf-8")


def _last_error(log: str) -> str:
    """The exception that stopped a converter (``RuntimeError: No end hidden tests statement found``).

    nbgrader's own closing lines only say to look at the traceback above, so the first
    exception line of the log is the one that names the problem.
    """
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    exceptions = [line for line in lines if re.match(r"^[\w.]+(Error|Exception): ", line)
                  and "NbGraderException" not in line]
    errors = [line for line in lines if "[ERROR]" in line and "traceback" not in line.lower()]
    return ((exceptions or errors or lines or [""])[0]).replace("[ERROR]", "").strip()[:500]


def grade_one(request: dict) -> dict:
    """What ``nbgrader autograde ASSIGNMENT --student STUDENT --force`` (then feedback) does, in-process."""
    from nbgrader.converters import Autograde, GenerateFeedback
    from traitlets.config import Config

    course_root = request["course_root"]
    os.chdir(course_root)  # as `nbgrader autograde` run in the course folder
    # The kernel launcher and the kernelspec lookup read the environment when a kernel starts.
    os.environ.clear()
    os.environ.update(request["env"])
    config = _course_config(course_root)
    config.merge(Config(request["config"]))
    result = _run_converter(Autograde, config, request["assignment"], request["student"],
                            force=True, create_student=True)
    answer = {"success": bool(result.get("success")),
              "log": (result.get("log") or "") + (result.get("error") or ""), "feedback": None}
    autograded = Path(course_root, "autograded", request["student"], request["assignment"])
    if request.get("feedback") and autograded.is_dir():
        feedback = _run_converter(GenerateFeedback, config, request["assignment"], request["student"], force=True)
        answer["feedback"] = "" if feedback.get("success") else _last_error(
            (feedback.get("log") or "") + (feedback.get("error") or "")) or "nbgrader's feedback step failed"
        if feedback.get("success"):
            _make_pages_safe(Path(course_root, "feedback", request["student"], request["assignment"]))
    elif request.get("feedback"):
        answer["feedback"] = "there was no graded notebook to write feedback from"
    return answer


def _die_with_the_grader() -> None:
    """End this worker, and every kernel in its process group, when the grader that started it is gone.

    The worker has a process group of its own (so a stuck nbgrader can be killed whole), which
    also keeps it out of reach of a Ctrl-C or a kill of the grader: without this, a grader
    stopped midway would leave a worker and its kernel running to the end of the time limit.
    """
    import threading

    grader = os.getppid()

    def watch() -> None:
        while os.getppid() == grader:
            time.sleep(1)
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="die-with-the-grader", daemon=True).start()


def serve() -> None:
    _die_with_the_grader()
    # Answers go to a private copy of stdout; anything else that prints goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # (dgmcourse.instructor, imported first by `python -m`, has already skipped a slow optional import)
    import nbgrader.converters  # noqa: F401 - the import this process exists to pay once

    answers.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = grade_one(request)
        except Exception as error:  # a bug of ours: report it for this submission and go on
            answer = {"success": False, "log": f"[ERROR] grading worker: {type(error).__name__}: {error}",
                      "feedback": None}
        answers.write(json.dumps(answer) + "\n")


# --- the grader's handle on a worker -----------------------------------------------------
class WorkerProcess:
    """Starts a worker on first use, sends it one submission at a time, replaces it when it fails."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.process: subprocess.Popen | None = None
        # Whether the last submission's nbgrader run ended and answered. When it did not (killed at the outer
        # limit, died), its autograded/ folder holds whatever nbgrader had copied there, never a graded notebook.
        self.answered = False
        self._log = tempfile.NamedTemporaryFile(prefix="dgmcourse-worker-", suffix=".log", delete=False)
        self._buffer = b""

    def _start(self, timeout: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dgmcourse.instructor.grading_worker"],
            cwd=tempfile.gettempdir(), env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            start_new_session=True)  # its own process group: a kill reaches nbgrader and the kernels it started
        self._buffer = b""
        if self._read_line(timeout) is None:
            self.kill()
            raise RuntimeError("the grading worker did not start:\n" + self._log_tail(0))

    def _read_line(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        stdout = self.process.stdout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([stdout], [], [], remaining)[0]:
                return None
            chunk = os.read(stdout.fileno(), 65536)
            if not chunk:  # the worker died
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _log_tail(self, start: int, limit: int = 4000) -> str:
        with open(self._log.name, "rb") as handle:
            handle.seek(start)
            return handle.read()[-limit:].decode("utf-8", "replace")

    def grade(self, request: dict, timeout: float) -> tuple[int | None, str, bool | None]:
        """(0 on success, 1 on failure, None on timeout; the log; the feedback's outcome).

        The feedback's outcome is None when none was asked for or the worker did not answer,
        "" when it was written, and otherwise what went wrong.
        """
        self.answered = False
        if self.process is None or self.process.poll() is not None:
            self._start(timeout=120)
        log_start = os.path.getsize(self._log.name)
        started = time.monotonic()
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            answer = self._read_line(timeout)
        except BrokenPipeError:
            answer = None
        if answer is None:
            timed_out = time.monotonic() - started >= timeout
            self.kill()
            return (None if timed_out else 1), "[ERROR] the grading worker " + (
                "was stopped at the time limit" if timed_out else "died") + "\n" + self._log_tail(log_start), None
        self.answered = True
        return (0 if answer["success"] else 1), answer["log"], answer["feedback"]

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        self.process = None

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        self._log.close()
        os.unlink(self._log.name)

    def __enter__(self) -> "WorkerProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


if __name__ == "__main__":
    serve()
