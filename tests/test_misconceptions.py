"""Naming mistakes: the catalogue's precision on every assignment, the rules, and the grader's side of it.

The precision tests judge the catalogue on the variants themselves (``misconceptions.precision``):
outputs computed by the grader from the masters' definitions, the same ones it compares students
with. ``test_grading_variants.py`` checks the same naming through the real grader, in the
student's sandboxed kernel.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dgmcourse.instructor import misconceptions
from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor import variants as variant_files
from dgmcourse.instructor.diagnosis import diagnose
from dgmcourse.instructor.misconceptions import informative, name_mistake, tells_problems
from dgmcourse.instructor.probe_outputs import ANSWER_LIMIT, Raised, agree, signature

from conftest import REPO, make_toy_course

ASSIGNMENTS = sorted(p.name for p in (REPO / "tests" / "variants").iterdir() if p.is_dir())


def _masters(assignment: str) -> list[dict]:
    return [nb.load(p) for p in nb.notebooks_in(REPO / "source" / assignment)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_catalogue_names_every_catalogued_mistake_and_nothing_else(assignment):
    report = misconceptions.precision(REPO, assignment)
    assert report.problems == [], "\n".join(report.problems)
    assert report.false_diagnoses == [] and report.wrong_diagnoses == [] and report.collisions == []
    assert len(report.catalogued) >= 10, f"{assignment}: only {report.catalogued} catalogued"
    assert sorted(report.named_as_itself) == sorted(report.catalogued)
    # every task is probed or listed, with its reason, as left out
    tasks = {nb.task_of(nb.grade_id(c)) for m in _masters(assignment) for c in m["cells"] if nb.is_test(c)}
    assert tasks == set(report.probed_tasks) | set(report.not_probed), (tasks, report.probed_tasks)
    assert all(report.not_probed.values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_tells_gives_away_a_solution_or_a_hidden_test(assignment):
    loaded = variant_files.load(REPO / "tests" / "variants" / assignment)
    assert [p for v in loaded for p in tells_problems(v, _masters(assignment))] == []
    assert all(not v.tells for v in loaded if not v.must_lose)


def _solution_lines(master: dict) -> list[list[str]]:
    """Each solution region's lines that say something (stripped, comments and short lines left out)."""
    regions = []
    for cell in master["cells"]:
        lines = nb.source(cell).splitlines()
        for region in nb.regions(nb.source(cell), "solution")[0]:
            kept = [line.strip() for line in lines[region.begin + 1:region.end]
                    if len(line.strip()) >= 20 and not line.strip().startswith("#")]
            regions.append(kept)
    return regions


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_catalogue_carries_no_solution_code(assignment):
    """What travels to workers and into the kernel: probes, tells and numbers, never a solution's code.

    (Hidden tests run in the kernel anyway; a solution never does.) Refused: a solution line of 40
    characters or more, or two consecutive lines of one solution.
    """
    catalogue = misconceptions.build(REPO, assignment).to_json()
    text = json.dumps(catalogue)
    regions = [r for m in _masters(assignment) for r in _solution_lines(m)]
    assert any(regions), "the masters have solution lines to look for"
    probe_lines = [line.strip() for line in catalogue["probes"].splitlines() if line.strip()]
    consecutive = set(zip(probe_lines, probe_lines[1:]))

    long_lines = [line for region in regions for line in region if len(line) >= 40 and json.dumps(line)[1:-1] in text]
    pairs = [pair for region in regions for pair in zip(region, region[1:]) if pair in consecutive]
    assert long_lines == [] and pairs == []


def _variant(tmp_path: Path, tells: str) -> variant_files.Variant:
    path = tmp_path / "lose_w1_cdf_made_up.py"
    path.write_text(f"# Made up.\n# replaces: w1_cdf__solution\n# loses: w1_cdf__values\n# tells: {tells}\n"
                    "def compute_wasserstein_distance(p, q):\n    return 0\n")
    return variant_files.parse(path)


@pytest.mark.parametrize("tells", [
    "it should return cdf_difference.abs().sum() instead",                      # a solution line, inline
    "compare with `torch.cumsum(p_probs, dim=-1) - torch.cumsum(q_probs, dim=-1)`",  # a solution span
])
def test_a_tells_that_quotes_the_solution_is_refused(tmp_path, tells):
    problems = tells_problems(_variant(tmp_path, tells), _masters("01_space_worms_wasserstein"))
    assert problems and "tells" in problems[0], problems


def test_a_tells_that_gives_a_hidden_input_is_refused(tmp_path):
    hidden = [line for m in _masters("01_space_worms_wasserstein") for c in m["cells"] if nb.is_test(c)
              for region in nb.regions(nb.source(c), "hidden")[0]
              for line in nb.source(c).splitlines()[region.begin + 1:region.end]]
    import re

    lists = [match for line in hidden for match in re.findall(r"\[[-0-9.,\s]+\]", line) if "," in match]
    assert lists, "the hidden tests have a list of numbers to leak"
    problems = tells_problems(_variant(tmp_path, f"try it on {lists[0]} by hand"),
                              _masters("01_space_worms_wasserstein"))
    assert problems and "hidden" in problems[0], problems


def test_a_tells_in_words_is_accepted(tmp_path):
    assert tells_problems(_variant(tmp_path, "it averages where it should add up; revisit the CDF form of W1."),
                          _masters("01_space_worms_wasserstein")) == []


def test_a_full_variant_cannot_tell(tmp_path):
    path = tmp_path / "full_x.py"
    path.write_text("# Right.\n# replaces: w1_cdf__solution\n# tells: nothing\ndef f():\n    return 1\n")
    with pytest.raises(variant_files.VariantError, match="only a lose_ variant"):
        variant_files.parse(path)


# --- the rules of naming ------------------------------------------------------------------------
def _entry(reference, *mistakes):
    return {"reference": signature(reference), "tests": ["t__tests"], "function": "f",
            "mistakes": [{"name": f"lose_{i}", "tells": f"mistake {i}", "outputs": signature(m)}
                         for i, m in enumerate(mistakes)]}


def test_named_only_when_exactly_one_mistake_agrees_and_the_reference_does_not():
    entry = _entry([1.0, 2.0], [2.0, 4.0], [1.0, 3.0])
    assert name_mistake(entry, signature([2.0, 4.0 + 1e-7]))["name"] == "lose_0"   # within tolerance
    assert name_mistake(entry, signature([2.0, 4.1])) is None                      # agrees with nothing
    assert name_mistake(entry, signature([1.0, 2.0])) is None                      # the reference
    twins = _entry([1.0], [2.0], [2.0])
    assert name_mistake(twins, signature([2.0])) is None, "two mistakes agree: say nothing"


def test_kinds_dtypes_and_errors_are_part_of_the_behaviour():
    import torch

    assert not agree(signature(1.0), signature(torch.tensor(1.0)))
    assert not agree(signature(torch.tensor([1.0])), signature(torch.tensor([1.0], dtype=torch.float64)))
    assert not agree(signature(Raised(TypeError())), signature(Raised(ValueError())))
    assert agree(signature(float("nan")), signature(float("nan")))
    only_errors = _entry([1.0], [Raised(TypeError())])
    assert not informative(signature([Raised(TypeError())]))
    assert name_mistake(only_errors, signature([Raised(TypeError())])) is None


class _Notebook:
    def __init__(self, failed: bool):
        output = [{"output_type": "error", "ename": "AssertionError"}] if failed else []
        self.cells = [{"cell_type": "code", "source": "", "outputs": output,
                       "metadata": {"nbgrader": {"grade": True, "solution": False, "grade_id": "t__tests"}}}]


@pytest.mark.parametrize("answer", [
    "not json", "[1, 2", json.dumps([1, 2, 3]), json.dumps({"kind": "mapping", "items": "x"}),
    json.dumps({"kind": "number", "values": ["a"]}), "x" * (ANSWER_LIMIT + 1), json.dumps(None)])
def test_whatever_the_kernel_answers_names_nothing_and_never_raises(answer):
    catalogue = {"probes": "", "tasks": {"t": _entry([1.0], [2.0])}}
    assert diagnose(_Notebook(True), catalogue, lambda source, task: answer)["diagnoses"] == {}


def test_only_failed_tasks_are_probed_and_a_silent_kernel_ends_the_diagnosis():
    catalogue = {"probes": "", "tasks": {"t": _entry([1.0], [2.0]), "u": _entry([1.0], [3.0])}}
    catalogue["tasks"]["u"]["tests"] = ["t__tests"]
    asked = []

    def ask(source, task):
        asked.append(task)
        return None

    assert diagnose(_Notebook(True), catalogue, ask)["diagnoses"] == {} and asked == ["t"]
    assert diagnose(_Notebook(False), catalogue, lambda s, t: pytest.fail("a passed task was probed"))[
        "diagnoses"] == {}
    named = diagnose(_Notebook(True), catalogue, lambda s, t: json.dumps(signature([2.0])))["diagnoses"]
    assert named == {"t": {"mistake": "0", "tells": "mistake 0", "function": "f"}}


# --- through the grader: the toy course's catalogue ------------------------------------------------
TOY_STUDENTS = {
    "subtracts": "def add(a, b):\n    return a - b",
    "multiplies": "def add(a, b):\n    return b * a",          # the same mistake, written otherwise
    "constant": "def add(a, b):\n    return 0",                 # a wrong answer the catalogue does not know
    "right-otherwise": "def add(a, b):\n    return sum([a, b])",  # right, in another style
    "broken-slow": "def add(a, b):\n    return a + b",
}


@pytest.fixture(scope="module")
def toy_graded(tmp_path_factory):
    from dgmcourse.instructor import submissions

    course = make_toy_course(tmp_path_factory.mktemp("named") / "course", catalogue=True)
    incoming = course.root / "incoming"
    for student, add in TOY_STUDENTS.items():
        slow = "def slow():\n    return 2" if student == "broken-slow" else "def slow():\n    return 1"
        notebooks = submissions.build(course, "toy", {"add__solution": add, "slow__solution": slow})
        submissions.write(incoming, student, "toy", notebooks)
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "grade",
                           str(incoming), "--jobs", "2"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return course, done


def _cell_rows(course) -> list[dict]:
    with open(course.reports_dir / "grades_by_cell.csv") as handle:
        return list(csv.DictReader(handle))


def test_the_grader_names_the_mistake_in_the_cell_report(toy_graded):
    course, _ = toy_graded
    told = {(r["student"], r["grade_id"]): r["diagnosis"] for r in _cell_rows(course)}
    assert told[("subtracts", "add__tests")] == "add_subtracts"
    assert told[("multiplies", "add__tests")] == "add_multiplies"
    assert told[("constant", "add__tests")] == "", "a wrong answer the catalogue does not know is told nothing"
    assert told[("right-otherwise", "add__tests")] == ""
    assert told[("broken-slow", "slow__tests")] == "" and told[("broken-slow", "add__tests")] == ""


def test_the_feedback_shows_the_mistake_under_the_failing_test(toy_graded):
    course, _ = toy_graded
    page = (course.feedback_dir / "subtracts" / "toy" / "toy.html").read_text()
    assert "What went wrong:" in page and "<code>add</code>" in page
    assert "it takes the difference of the two numbers instead of their sum." in page
    assert page.index("What went wrong:") > page.index('name="add__tests"'), "under the failing test"
    for student in ("constant", "right-otherwise", "broken-slow"):
        assert "What went wrong:" not in (course.feedback_dir / student / "toy" / "toy.html").read_text(), student


def test_the_class_summary_counts_who_lost_points_and_why(toy_graded):
    course, done = toy_graded
    assert "misconceptions.csv" in done.stdout
    with open(course.reports_dir / "misconceptions.csv") as handle:
        rows = [r for r in csv.DictReader(handle) if r["task"] == "add"]
    by_mistake = {r["mistake"]: (r["students_who_lost_points"], r["students"]) for r in rows}
    assert by_mistake == {"add_subtracts": ("3", "1"), "add_multiplies": ("3", "1"), "(not named)": ("3", "1")}
    assert next(r for r in rows if r["mistake"] == "add_multiplies")["tells"].startswith("it multiplies")
    png = course.reports_dir / "misconceptions.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_task_is_not_named_when_a_task_it_uses_lost_points_too():
    """A student whose KL has the wrong sign and whose negative ELBO is right has a negative ELBO that behaves
    exactly like "minus the KL": that is the KL's mistake, so the negative ELBO's is not named."""
    def uses(assignment):
        loaded = variant_files.load(REPO / "tests" / "variants" / assignment)
        return misconceptions.task_dependencies(REPO, assignment, [v for v in loaded if misconceptions.teachable(v)])

    assert {"kl"} <= uses("05_mnist_vae_gan")["neg_elbo"]
    assert {"kl", "neg_elbo"} <= uses("05_mnist_vae_gan")["vae_step"]
    assert {"penalty"} <= uses("02_wgan_2d")["critic_gp"]
    assert "neg_elbo" not in uses("05_mnist_vae_gan")["kl"]
    catalogue = {"probes": "", "tasks": {"t": dict(_entry([1.0], [2.0]), uses=["u"])}}
    both_failed = _Notebook(True)
    both_failed.cells.append(dict(both_failed.cells[0], metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": "u__tests"}}))
    assert diagnose(both_failed, catalogue, lambda s, t: json.dumps(signature([2.0])))["diagnoses"] == {}
    assert diagnose(_Notebook(True), catalogue, lambda s, t: json.dumps(signature([2.0])))["diagnoses"] != {}
