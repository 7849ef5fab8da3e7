"""One batch, every attack and bad input between two good students, graded with `dgmcourse grade --jobs 2`.

Each submission must end with the status and score its corpus entry states; the good
students must be untouched; nothing may be written outside the grader's own outputs.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from adversarial_corpus import CASES, FolderLink, HardLink, Link, code
from conftest import REPO, make_toy_course
from dgmcourse.instructor.sandbox import cgroups

GRADER_OUTPUTS = ("autograded", "feedback", "reports", "gradebook.db", "gradebook-backups")
bwrap_missing = shutil.which("bwrap") is None
if bwrap_missing and os.environ.get("CI"):
    raise RuntimeError("CI must install bubblewrap: the adversarial corpus needs the grading sandbox")
pytestmark = pytest.mark.skipif(bwrap_missing, reason="bubblewrap (bwrap) is not installed")


def _snapshot(root: Path) -> dict[str, str]:
    files = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in GRADER_OUTPUTS:
            files[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


class CountingServer:
    """A TCP server on the grader's loopback that counts connections (there must be none)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


CONFIG = re.sub(r"^c\.Execute\.timeout = \d+$", "c.Execute.timeout = 5", (REPO / "nbgrader_config.py").read_text(),
                flags=re.M)
LIMITS = ["--max-seconds", "60", "--memory-mb", "2048"]


def _corpus_course(root: Path, context: dict):
    """A toy course whose incoming/ holds every corpus case between two good students."""
    course = make_toy_course(root, config_text=CONFIG, catalogue=True)
    context = dict(context, root=str(course.root))
    incoming = course.root / "incoming"
    students = {"a-good-first": code(), "z-good-last": code()}
    for index, case in enumerate(CASES):
        students[f"b{index:02d}-{case.name}"] = case.build
    for student, build in students.items():
        _write_submission(incoming / student / "toy", build(course, context), context)
    return course, incoming


def _rows(course) -> dict:
    with open(course.reports_dir / "grades.csv") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    server = CountingServer()
    context = {"port": server.port,
               "other_notebook": REPO / "release" / "01_space_worms_wasserstein" / "space_worms_wasserstein.ipynb"}
    victim = tmp_path_factory.mktemp("victim") / "empty-host-folder"
    victim.mkdir()
    context["victim"] = str(victim)
    course, incoming = _corpus_course(tmp_path_factory.mktemp("adversarial") / "course", context)
    before = _snapshot(course.root)
    marker = Path("/tmp/dgmcourse-escape-marker")
    marker.unlink(missing_ok=True)
    grader = subprocess.Popen([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "grade",
                               str(incoming), "--jobs", "2", *LIMITS],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = grader.communicate(timeout=1500)
    done = subprocess.CompletedProcess(grader.args, grader.returncode, stdout, stderr)
    return {"course": course, "done": done, "rows": _rows(course), "before": before, "after": _snapshot(course.root),
            "server": server, "marker": marker, "victim": victim, "cgroups_left": cgroups.count_ours(grader.pid),
            "context": context}


def _write_submission(folder: Path, files, context: dict) -> None:
    if isinstance(files, FolderLink):
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.symlink_to(files.target.format(**context), target_is_directory=True)
        return
    folder.mkdir(parents=True)
    for name, data in files.items():
        if isinstance(data, Link):
            (folder / name).symlink_to(data.target.format(**context))
        elif isinstance(data, HardLink):
            os.link(data.target.format(**context), folder / name)
        else:
            (folder / name).write_bytes(data)


def _student(corpus, name: str) -> str:
    return next(s for s in corpus["rows"] if s.endswith("-" + name) and s.startswith("b"))


def test_batch_finishes_and_every_student_is_reported(corpus):
    assert corpus["done"].returncode == 0, corpus["done"].stdout[-2000:] + corpus["done"].stderr[-2000:]
    assert len(corpus["rows"]) == len(CASES) + 2


@pytest.mark.parametrize("index,case", list(enumerate(CASES)), ids=[c.name for c in CASES])
def test_attack_gets_its_status_and_score(corpus, index, case):
    row = corpus["rows"][f"b{index:02d}-{case.name}"]
    assert (row["status"], float(row["score"])) == (case.status, case.score), f"{case.what}: {row}"
    assert float(row["max_score"]) == 3.0
    if case.status != "graded":
        assert row["reason"], "a status other than graded must say why"
    assert case.reason in row["reason"], f"{case.what}: the reason must say {case.reason!r}: {row['reason']}"
    if case.status == "graded" and not case.reason:
        assert not row["reason"], f"{case.what}: graded with no note expected, got {row['reason']!r}"


def test_good_students_are_untouched(corpus):
    for student in ("a-good-first", "z-good-last"):
        row = corpus["rows"][student]
        assert (row["status"], row["score"], row["max_score"]) == ("graded", "3", "3")


def test_nothing_was_written_outside_the_graders_outputs(corpus):
    assert corpus["after"] == corpus["before"], \
        "files changed outside autograded/, feedback/, reports/ and the gradebook"
    assert not corpus["marker"].exists(), "the kernel wrote to the host's /tmp"
    config = (corpus["course"].root / "nbgrader_config.py").read_text()
    assert "print('owned')" not in config, "a submission wrote into the course's nbgrader_config.py"
    assert corpus["server"].connections == 0, "a kernel reached the grader's loopback network"


def test_reasons_name_the_attack(corpus):
    rows = corpus["rows"]
    reason = {name.split("-", 1)[1]: row["reason"] for name, row in rows.items() if name.startswith("b")}
    assert "not valid notebook JSON" in reason["malformed-json"]
    assert "empty" in reason["zero-bytes"]
    assert "nbformat 3" in reason["nbformat-3"] and "nbformat 5" in reason["nbformat-5"]
    assert "does not look like this assignment" in reason["other-assignment"]
    assert "cell time limit reached" in reason["infinite-loop"], "an ordinary loop is interrupted, not killed"
    assert "did not stop when interrupted" in reason["ignores-sigint"]
    assert "kernel died" in reason["os-exit"]
    assert "numpy.testing" in reason["patch-numpy-testing"]
    assert "input" in reason["input-transformer"] and "AST" in reason["ast-transformer"]
    assert "custom exception handler" in reason["custom-exception-handler"]
    assert "__eq__" in reason["always-equal"]


def test_output_is_capped_and_feedback_hides_hidden_tests(corpus):
    course = corpus["course"]
    graded = next((course.autograded_dir).glob("*huge-output/toy/toy.ipynb"))
    assert graded.stat().st_size < 8_000_000, f"{graded} is {graded.stat().st_size} bytes"
    for page in course.feedback_dir.rglob("*.html"):
        assert "hidden: add(-7, 7)" not in page.read_text(), f"{page} shows a hidden test"


def test_the_grader_removed_nothing_a_kernel_named(corpus):
    assert corpus["victim"].is_dir(), "the grader removed a host folder that a kernel wrote into its runtime folder"


def test_no_cgroup_is_left_behind(corpus):
    assert corpus["cgroups_left"] == 0, f"the batch's grader left {corpus['cgroups_left']} dgmcourse-kernel cgroups"


MASTER_TEXT = ("BEGIN HIDDEN TESTS", "add(-7, 7)", "BEGIN SOLUTION")


def _student_visible_text(course, student: str) -> dict[Path, str]:
    """Feedback pages, and what the kernel saw and wrote (the graded notebook's outputs, copied files).

    The graded notebook's test cells hold the hidden tests by design (nbgrader restores them there).
    """
    texts = {p: p.read_text(errors="replace") for p in (course.feedback_dir / student).rglob("*") if p.is_file()}
    for path in (course.autograded_dir / student).rglob("*"):
        if path.suffix == ".ipynb":
            texts[path] = json.dumps([c.get("outputs", []) for c in json.loads(path.read_text())["cells"]])
        elif path.is_file():
            texts[path] = path.read_text(errors="replace")
    return texts


def test_links_never_bring_course_files_in(corpus):
    course = corpus["course"]
    for name in ("link-notebook-to-master", "links-beside-notebook", "link-assignment-folder"):
        for path, text in _student_visible_text(course, _student(corpus, name)).items():
            assert not any(secret in text for secret in MASTER_TEXT), f"{path} holds master text"
    listed = _student(corpus, "links-beside-notebook")
    copied = {p.name for p in (course.autograded_dir / listed / "toy").iterdir()}
    assert not copied & {"data.txt", "secrets", "dangling.txt", "hard.txt"}, f"links were copied: {copied}"


def test_tmpfs_is_bounded(corpus):
    graded = corpus["course"].autograded_dir / _student(corpus, "fill-tmpfs") / "toy" / "toy.ipynb"
    held = [int(x) for x in re.findall(r"held MiB \[(\d+), (\d+)\]", graded.read_text())[0]]
    # The notebook tried 640 and 320 MiB; the sandbox sizes /tmp at 512 MiB and /dev/shm at 256 MiB.
    assert 448 <= held[0] <= 512 and 192 <= held[1] <= 256, held


# Markup that runs or loads something. Escaped text (the student's code shown as code) is inert.
UNSAFE = [re.compile(p, re.I) for p in (
    r"<\s*(script|iframe|object|embed|base|form|link|svg)\b", r"<[^>]*\son[a-z]+\s*=",
    r"""<[^>]*\s(href|src|action|srcset|poster)\s*=\s*["']?\s*(https?:|//|javascript:|/)""",
    r"<style[^>]*>[^<]*(url\(\s*['\"]?\s*(https?:|//)|@import)", r"""style\s*=\s*["'][^"']*url\(""",
    r"<title>\s*owned")]


def test_feedback_and_graded_notebooks_are_inert(corpus):
    course = corpus["course"]
    pages = list(course.feedback_dir.rglob("*.html"))
    graded = [s for s, row in corpus["rows"].items() if row["status"] == "graded" and not row["reason"]]
    missing = [s for s in graded if not (course.feedback_dir / s / "toy" / "toy.html").is_file()]
    assert not missing, f"graded students without feedback: {missing}"
    for page in pages:
        text = page.read_text()
        for pattern in UNSAFE:
            assert not pattern.search(text), f"{page}: {pattern.pattern} matches {pattern.search(text).group(0)!r}"
    graded = course.autograded_dir / _student(corpus, "html-payloads") / "toy" / "toy.ipynb"
    outputs = json.dumps([c.get("outputs", []) for c in json.loads(graded.read_text())["cells"]])
    assert "<script" not in outputs and "onerror" not in outputs and "application/javascript" not in outputs


def test_hidden_tests_reach_no_output(corpus):
    course = corpus["course"]
    for name in ("leak-test-source", "oracle-from-test-source"):
        for path, text in _student_visible_text(course, _student(corpus, name)).items():
            assert "add(-7, 7)" not in text and "BEGIN HIDDEN" not in text, \
                f"{path}: the kernel could read the hidden test's source, or the feedback shows it"


def test_uploaded_python_never_reaches_the_kernel_or_the_graded_folder(corpus):
    copied = {p.name for p in (corpus["course"].autograded_dir / _student(corpus, "shadow-modules")).rglob("*")}
    assert not [name for name in copied if name.endswith((".py", ".so"))], copied


def test_test_names_stay_out_of_the_students_namespace(corpus):
    graded = corpus["course"].autograded_dir / _student(corpus, "print-test-names") / "toy" / "toy.ipynb"
    cell = next(c for c in json.loads(graded.read_text())["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "slow__solution")
    printed = "".join("".join(o.get("text", "")) for o in cell["outputs"])
    assert printed.startswith("[") and "_reference" not in printed and "_dgm" not in printed, printed


def test_gradebook_was_backed_up(corpus):
    backups = list((corpus["course"].root / "gradebook-backups").glob("gradebook-*.db"))
    assert backups, "the gradebook is copied aside before every run"


def test_a_dask_cluster_grades_the_corpus_as_the_local_pool_does(corpus, tmp_path_factory):
    """Every attack again, graded by two Dask workers over TCP: the same status and score for each."""
    from services import DaskCluster

    course, incoming = _corpus_course(tmp_path_factory.mktemp("adversarial-dask") / "course", corpus["context"])
    with DaskCluster(tmp_path_factory.mktemp("dask"), 2) as cluster:
        done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "grade",
                               str(incoming), "--scheduler", cluster.address, *LIMITS],
                              capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    on_dask = {student: (row["status"], row["score"]) for student, row in _rows(course).items()}
    local = {student: (row["status"], row["score"]) for student, row in corpus["rows"].items()}
    assert on_dask == local, "\n".join(f"{s}: local {local.get(s)}, dask {on_dask.get(s)}"
                                      for s in sorted(set(local) | set(on_dask)) if local.get(s) != on_dask.get(s))
    assert corpus["server"].connections == 0, "no kernel on a Dask worker reached the grader's network either"
    assert not corpus["marker"].exists(), "no kernel on a Dask worker wrote to the host's /tmp either"
