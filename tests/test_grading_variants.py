"""Hidden tests tell right answers from wrong ones, through the real ``nbgrader autograde``.

Each assignment with variant files is graded once per session (see ``dgmcourse.instructor.variant_grading``);
the tests below read that run. Expected scores come from the variant headers and the
master's points, never from the grader's own output.
"""
from __future__ import annotations

import pytest

from dgmcourse.instructor import grading
from dgmcourse.instructor import variants as variant_files
from dgmcourse.instructor.variant_grading import (SEEDS, AssignmentRun, batch_name, describe_mismatch,
                                                  describe_visible_misses, run_assignment, variant_batches,
                                                  visible_check_misses, visible_checks_passed)

from conftest import REPO

ASSIGNMENTS = sorted(p.name for p in (REPO / "tests" / "variants").iterdir() if p.is_dir())
_runs: dict[str, AssignmentRun] = {}


@pytest.fixture(scope="session")
def graded(repo_course, tmp_path_factory):
    def get(assignment: str) -> AssignmentRun:
        if assignment not in _runs:
            _runs[assignment] = run_assignment(repo_course, assignment, tmp_path_factory.mktemp(assignment))
        return _runs[assignment]
    return get


def assert_scores(run: AssignmentRun, student: str) -> None:
    result = run.results[student]
    expected = run.students[student].expected
    assert result.status == grading.GRADED, describe_mismatch(result, expected)
    got = {cell.grade_id: cell.score for cell in result.cells}
    assert got == pytest.approx(expected, abs=1e-9), describe_mismatch(result, expected)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_full_marks(graded, assignment, seed):
    run = graded(assignment)
    assert_scores(run, f"solution-seed{seed}")
    result = run.results[f"solution-seed{seed}"]
    assert result.score == pytest.approx(result.max_score) and result.max_score > 0


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_version_gets_zero_without_timeout(graded, assignment):
    run = graded(assignment)
    result = run.results["blank"]
    assert result.status == grading.GRADED, f"blank submission: {result.status}: {result.reason}"
    assert result.score == 0.0
    assert_scores(run, "blank")


def _batch_params():
    for assignment in ASSIGNMENTS:
        for index, batch in enumerate(variant_batches(REPO, assignment)):
            names = "+".join(v.name for v in batch)
            yield pytest.param(assignment, batch_name(batch, index), id=f"{assignment}:{names}")


@pytest.mark.parametrize("assignment,student", list(_batch_params()))
def test_variants_get_the_scores_they_declare(graded, assignment, student):
    """lose_ variants score 0 on the cells they declare and full marks elsewhere; full_ variants keep everything.

    A `# caught: visible` variant must also fail the visible checks of the cells it loses, so that the student
    meets the mistake while working, not only in the grade.
    """
    run = graded(assignment)
    assert_scores(run, student)
    misses = visible_check_misses(run, student)
    assert misses == {}, describe_visible_misses(misses)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solution_passes_every_visible_check(graded, repo_course, assignment):
    """The marker the harness reads is there: every test cell prints it once its visible checks pass."""
    run = graded(assignment)
    passed = visible_checks_passed(run, "solution-seed0")
    assert passed == {gid: True for gid in grading.max_points(repo_course, assignment)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_task_has_two_wrong_and_one_correct_variant(repo_course, assignment):
    tasks = {grading.nb.task_of(gid) for gid in grading.max_points(repo_course, assignment)}
    batches = [v for b in variant_batches(REPO, assignment) for v in b]
    for task in sorted(tasks):
        lose = [v.name for v in batches if v.must_lose and any(grading.nb.task_of(g) == task for g in v.loses)
                and grading.nb.task_of(v.replaces) == task]
        full = [v.name for v in batches if not v.must_lose and grading.nb.task_of(v.replaces) == task]
        assert len(lose) >= 2, f"task {task!r} of {assignment} has {len(lose)} wrong variant(s): {lose}"
        assert len(full) >= 1, f"task {task!r} of {assignment} has no alternative correct variant"


def test_the_variant_report_shows_every_variant_as_declared(graded, repo_course, tmp_path):
    """The report `dgmcourse variants --grade` prints, built from this session's graded runs."""
    from dgmcourse.instructor import variant_report, variants as variant_files
    from dgmcourse.instructor.variant_grading import variants_dir

    rows = []
    for assignment in ASSIGNMENTS:
        these = variant_report.rows_for(assignment, variant_files.load(variants_dir(REPO, assignment)))
        tasks = {grading.nb.task_of(gid) for gid in grading.max_points(repo_course, assignment)}
        assert variant_report.coverage_problems(assignment, these, tasks) == []
        rows += variant_report.with_outcomes(these, graded(assignment))
    text = variant_report.table(rows)
    print(text)
    assert [r for r in rows if r.outcome != "as declared"] == [], text
    assert {r.kind for r in rows} >= {"namespace", "contract-freedom", "contract-requirement", "procedure"}


def _named_as_catalogued(assignment: str, batch) -> dict[str, str]:
    """task -> the mistake the grader must name for this batch: its catalogued variants in probed tasks, except
    where a task it uses lost points too (as the batch's headers declare)."""
    from dgmcourse.instructor import misconceptions
    from dgmcourse.instructor.probe_outputs import load_probes

    probes = misconceptions.probes_path(REPO, assignment)
    probed = set(misconceptions.probed_tasks(load_probes(probes.read_text()))) if probes.is_file() else set()
    loaded = variant_files.load(REPO / "tests" / "variants" / assignment)
    catalogued = [v for v in loaded if misconceptions.teachable(v)]
    uses = misconceptions.task_dependencies(REPO, assignment, catalogued)
    lost = {grading.nb.task_of(gid) for v in batch for gid in v.loses}
    return {grading.nb.task_of(v.replaces): v.name.removeprefix("lose_") for v in batch
            if misconceptions.teachable(v) and grading.nb.task_of(v.replaces) in probed
            and not uses.get(grading.nb.task_of(v.replaces), set()) & lost}


@pytest.mark.parametrize("assignment,student", list(_batch_params()))
def test_the_feedback_names_exactly_the_catalogued_mistakes(graded, assignment, student):
    """Through the real grader (the student's kernel, in the sandbox): each catalogued wrong variant is named as
    itself, and nothing else is named: not a full_ variant, not an uncatalogued one, not a task it broke."""
    run = graded(assignment)
    result = run.results[student]
    told = {task: named["mistake"] for task, named in result.diagnoses.items()}
    assert told == _named_as_catalogued(assignment, run.students[student].batch), result.diagnoses


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solution_and_the_blank_version_are_told_no_mistake(graded, assignment, seed):
    run = graded(assignment)
    assert run.results[f"solution-seed{seed}"].diagnoses == {}
    assert run.results["blank"].diagnoses == {}, "a stub that raises is no misconception"
