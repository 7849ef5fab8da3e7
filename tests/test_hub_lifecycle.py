"""A term's lifecycle on one machine, as on a hub: real Linux users, a real exchange, real nbgrader.

The README's commands, exactly, in its order ("Running the course on a JupyterHub"):
the instructor (root here) releases; two students, each a real Linux user whose only
nbgrader configuration is the site-wide one, fetch; alice submits the solution on
time, bob a partly wrong answer after the due date; the instructor collects, grades
with ``dgmcourse grade --jobs 2`` and releases feedback; both students fetch it; the
instructor exports. The site-wide folder is a temporary one named by JUPYTER_CONFIG_PATH
(on a hub it is /etc/jupyter): the same lookup, without touching this machine's /etc.
"""
from __future__ import annotations

import csv
import os
import pwd
import re
import shlex
import shutil
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from dgmcourse.instructor import demo, submissions
from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import CONFIG_FILE, Course, copy_course
from dgmcourse.instructor.leak_scan import normalise

from conftest import REPO, instructor_user_config

ASSIGNMENT = "01_space_worms_wasserstein"
NOTEBOOK = "space_worms_wasserstein.ipynb"
COURSE_ID = "deep-generative-models"
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="creates real Linux users: run as root (CI does)"),
    pytest.mark.skipif(shutil.which("useradd") is None or shutil.which("runuser") is None,
                       reason="needs useradd and runuser"),
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed"),
]


def site_config(exchange: Path) -> str:
    """What the README puts in /etc/jupyter/nbgrader_config.py, for students and the instructor alike."""
    return (f"c = get_config()\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(exchange)!r}\n"
            f"c.Exchange.path_includes_course = True\n")


class Machine:
    """Users, folders and the commands they run; everything it changes is undone by ``close``."""

    def __init__(self, root: Path):
        self.root = root
        self.users: list[str] = []
        self.modes: list[tuple[Path, int]] = []
        self.site = root / "etc-jupyter"
        self.exchange = root / "srv" / "nbgrader" / "exchange"

    def open_path_to(self, path: Path) -> None:
        """Let other users traverse every folder above ``path`` (a fresh clone may sit in a 0700 folder)."""
        for folder in [path, *path.parents]:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                self.modes.append((folder, stat.S_IMODE(mode)))
                folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)

    def add_user(self, name: str) -> Path:
        home = self.root / "home" / name
        home.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/sh", name], check=True)
        self.users.append(name)
        return home

    def env(self, home: Path) -> dict[str, str]:
        return {"HOME": str(home), "PATH": f"{BIN}:/usr/bin:/bin", "JUPYTER_CONFIG_PATH": str(self.site),
                "MPLBACKEND": "Agg", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}

    def run_as(self, user: str | None, home: Path, cwd: Path, *command: str, ok: bool = True,
               timeout: float = 900) -> subprocess.CompletedProcess:
        """``command`` as ``user`` (None: the instructor, root) with only the site-wide nbgrader config."""
        env = self.env(home)
        if os.environ.get("DGMCOURSE_MNIST_DIR"):
            env["DGMCOURSE_MNIST_DIR"] = os.environ["DGMCOURSE_MNIST_DIR"]
        prefix = ["runuser", "-u", user, "--"] if user else []
        done = subprocess.run([*prefix, "env", "-i", *(f"{k}={v}" for k, v in env.items()), *command], cwd=cwd,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if ok:
            assert done.returncode == 0, f"{user or 'instructor'}: {' '.join(command)} failed:\n" \
                                         f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    def close(self) -> None:
        for name in self.users:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        for folder, mode in reversed(self.modes):
            folder.chmod(mode)


@pytest.fixture
def machine(tmp_path):
    m = Machine(tmp_path)
    try:
        yield m
    finally:
        m.close()


def nbgrader(*args: str) -> tuple[str, ...]:
    return (str(BIN / "python"), "-m", "nbgrader", *args)


def dgmcourse(*args: str) -> tuple[str, ...]:
    return (str(BIN / "python"), "-m", "dgmcourse.cli", *args)


def hidden_test_lines(master: Path) -> set[str]:
    lines = set()
    for cell in nb.load(master)["cells"]:
        text = nb.source(cell)
        for region in nb.regions(text, "hidden")[0]:
            body = text.splitlines()[region.begin + 1:region.end]
            lines |= {normalise(line) for line in body if len(normalise(line)) >= 12}
    return lines


def feedback_text(path: Path) -> str:
    return normalise(BeautifulSoup(path.read_text(), "html.parser").get_text(" "))


def test_a_term_on_one_machine_with_real_users_and_the_readmes_commands(machine, tmp_path):
    tag = uuid.uuid4().hex[:6]
    alice, bob = f"dgm-alice-{tag}", f"dgm-bob-{tag}"
    instructor_home = tmp_path / "home" / "instructor"
    instructor_home.mkdir(parents=True)
    course = copy_course(Course(REPO), instructor_home / "course")
    course.root.chmod(0o700)  # the course directory is the instructor's alone
    machine.open_path_to(BIN)
    machine.open_path_to(REPO / "src")
    machine.open_path_to(tmp_path)
    machine.site.mkdir()
    (machine.site / CONFIG_FILE).write_text(site_config(machine.exchange))
    machine.exchange.mkdir(parents=True)
    machine.exchange.chmod(0o777)  # README: chmod ugo+rw on the exchange root
    homes = {alice: machine.add_user(alice), bob: machine.add_user(bob)}
    (instructor_home / ".jupyter").mkdir()
    (instructor_home / ".jupyter" / CONFIG_FILE).write_text(instructor_user_config(course.root))
    as_instructor = lambda *command, **kw: machine.run_as(None, instructor_home, course.root, *command, **kw)  # noqa

    # --- the instructor releases ------------------------------------------------------
    as_instructor(*dgmcourse("release", ASSIGNMENT))
    as_instructor(*nbgrader("release_assignment", ASSIGNMENT))

    # --- students fetch with only the site-wide config -----------------------------------
    for student in (alice, bob):
        done = machine.run_as(student, homes[student], homes[student], *nbgrader("fetch_assignment", ASSIGNMENT))
        assert "No course id" not in done.stdout + done.stderr
    fetched = {s: homes[s] / COURSE_ID / ASSIGNMENT / NOTEBOOK for s in (alice, bob)}
    for student, path in fetched.items():
        assert path.is_file(), f"{student} has no {path} after fetch_assignment"
        assert pwd.getpwuid(path.stat().st_uid).pw_name == student
        denied = machine.run_as(student, homes[student], homes[student], "cat", str(course.root / CONFIG_FILE),
                                ok=False)
        assert denied.returncode != 0, "a student could read the instructor's course directory"

    def answer(student: str, replacements: dict[str, str] | None) -> None:
        """The student edits the fetched notebook (written here, then owned by the student)."""
        notebook = submissions.build(course, ASSIGNMENT, replacements)[NOTEBOOK]
        nb.save(notebook, fetched[student])
        shutil.chown(fetched[student], student, student)

    # alice: the solution, validated by herself (her own validate is unaffected), submitted on time
    answer(alice, None)
    done = machine.run_as(alice, homes[alice], fetched[alice].parent, *nbgrader("validate", NOTEBOOK))
    assert "Success! Your notebook passes all the tests." in done.stdout, done.stdout[-2000:]
    machine.run_as(alice, homes[alice], homes[alice], *nbgrader("submit", ASSIGNMENT))
    # The due date passes; the README sets it with `nbgrader db assignment add`.
    time.sleep(1.5)
    due = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    as_instructor(*nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={due}"))
    time.sleep(1.5)
    # bob: the demo's partly wrong answer, submitted after the due date
    answer(bob, demo.partial_replacements(REPO / "tests" / "variants" / ASSIGNMENT))
    machine.run_as(bob, homes[bob], homes[bob], *nbgrader("submit", ASSIGNMENT))
    # ...and then, in his folder of the exchange (his to write), things collect must not take:
    # a config nbgrader would execute, a link to the instructor's master, a FIFO.
    inbound = machine.exchange / COURSE_ID / "inbound"
    (bob_folder,) = [p for p in inbound.iterdir() if p.name.startswith(f"{bob}+")]
    # bob also tries to hand in a submission as alice, dated later than hers.
    forged = inbound / f"{alice}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+forged"
    machine.run_as(bob, homes[bob], homes[bob], "cp", "-r", str(bob_folder), str(forged))
    q = shlex.quote
    for script in (f"ln -s {q(str(course.master_notebooks(ASSIGNMENT)[0]))} {q(str(bob_folder / 'master.ipynb'))}",
                   f"mkfifo {q(str(bob_folder / 'blocker'))}",
                   f"echo 'open(\"/tmp/PWNED-{tag}\", \"w\")' > {q(str(bob_folder / 'nbgrader_config.py'))}"):
        machine.run_as(bob, homes[bob], homes[bob], "sh", "-c", script)

    # --- the instructor collects, grades, releases feedback ------------------------------
    collected = as_instructor(*nbgrader("collect", ASSIGNMENT), timeout=120)
    for student in (alice, bob):
        assert (course.root / "submitted" / student / ASSIGNMENT / "timestamp.txt").is_file()
    bob_collected = sorted(p.name for p in (course.root / "submitted" / bob / ASSIGNMENT).iterdir())
    assert bob_collected == [NOTEBOOK, "submission_secret.txt", "timestamp.txt"], f"collect took {bob_collected}"
    assert "owned by" in collected.stdout + collected.stderr, "the forged submission is named in the log"
    assert nb.load(course.root / "submitted" / alice / ASSIGNMENT / NOTEBOOK) == nb.load(fetched[alice]), \
        "bob's forged submission replaced alice's"
    assert not Path(f"/tmp/PWNED-{tag}").exists()
    # Even run inside bob's folder, nbgrader finds no config of his to execute.
    machine.run_as(None, instructor_home, course.root / "submitted" / bob / ASSIGNMENT, *nbgrader("list"), ok=False)
    assert not Path(f"/tmp/PWNED-{tag}").exists()
    # The formgrader's Autograde button runs plain `nbgrader autograde`: refused, nothing graded.
    refused = as_instructor(*nbgrader("autograde", ASSIGNMENT, "--force"), ok=False)
    assert "refused to start a kernel" in refused.stdout + refused.stderr, (refused.stdout + refused.stderr)[-3000:]
    assert "dgmcourse grade" in refused.stdout + refused.stderr
    graded = as_instructor(*dgmcourse("grade", "submitted", "--assignment", ASSIGNMENT, "--jobs", "2"))
    assert f"{alice} / {ASSIGNMENT}: graded" in graded.stdout, graded.stdout
    as_instructor(*nbgrader("release_feedback", ASSIGNMENT))

    # --- students fetch their feedback ---------------------------------------------------
    hidden = hidden_test_lines(course.master_notebooks(ASSIGNMENT)[0])
    assert len(hidden) > 10
    for student in (alice, bob):
        machine.run_as(student, homes[student], homes[student], *nbgrader("fetch_feedback", ASSIGNMENT))
        pages = sorted((homes[student] / COURSE_ID / ASSIGNMENT / "feedback").glob("*/*.html"))
        assert len(pages) == 1, f"{student} fetched {pages}"
        text = feedback_text(pages[0])
        shown = sorted(line for line in hidden if line in text)
        assert not shown, f"{student}'s feedback shows hidden test lines: {shown[:3]}"
        assert "<math" in pages[0].read_text(), "formulas in the feedback are MathML"

    # --- the instructor exports ------------------------------------------------------------
    export = course.root / "grades.csv"
    as_instructor(*nbgrader("export"))
    rows = {row["student_id"]: row for row in csv.DictReader(export.open())}
    assert set(rows) == {alice, bob}, f"students in the export: {sorted(rows)} (no demo students)"
    a, b = rows[alice], rows[bob]
    assert float(a["raw_score"]) == float(a["max_score"]) == float(a["score"]) > 0
    assert float(a["late_submission_penalty"]) == 0
    raw_b = float(b["raw_score"])
    assert 0 < raw_b < float(b["max_score"])
    assert float(b["late_submission_penalty"]) == pytest.approx(0.1 * raw_b), "10 % per started day late"
    assert float(b["score"]) == pytest.approx(0.9 * raw_b)
    with open(course.reports_dir / "grades.csv") as handle:
        ours = {row["student"]: row for row in csv.DictReader(handle)}
    assert ours[bob]["late"] == "yes" and ours[alice]["late"] == "no"
    assert float(ours[bob]["final_score"]) == pytest.approx(float(b["score"]))

    # No demo student anywhere: folders, gradebook, exchange.
    for folder in (course.root / "submitted", course.root / "autograded", course.root / "feedback",
                   machine.exchange):
        demo_paths = [p for p in folder.rglob("*") if "demo-" in p.name]
        assert not demo_paths, f"demo students in {folder}: {demo_paths[:3]}"
    listing = as_instructor(*nbgrader("db", "student", "list")).stdout
    assert "demo-" not in listing and re.search(alice, listing), listing
