"""The variant harness: grade reference and variant submissions of real assignments with nbgrader.

Used by the test suite (``tests/test_grading_variants.py``) and by ``dgmcourse variants
--grade``. For each assignment that has ``tests/variants/<assignment>/``, course copies are
released and these students are graded by nbgrader's real autograde code, the way
``dgmcourse grade --jobs 2`` runs it (``dgmcourse.instructor.grading``: one grading worker
per copy, one thread per kernel):

- ``solution-seed<k>``: the master's code, graded under seed k (``SEEDS``);
- ``blank``: the untouched student version;
- ``lose-<n>`` / ``full-<n>``: the solution with a batch of variants in place.

Students are split over two course copies graded side by side (each copy has its own
gradebook, so the two workers never share a database).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from dgmcourse.instructor import grading, submissions, variants
from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import Course, copy_course
from dgmcourse.instructor.grading_worker import WorkerProcess
from dgmcourse.instructor.release import release

SEEDS = (0, 1, 2)
PARALLEL_COPIES = 2
# Every test cell of this course prints this line between its visible checks and its hidden tests, so the
# graded output tells a failure of the visible checks (no line) from one of the hidden tests (the line, then
# the error).
VISIBLE_CHECKS_PASSED = "Visible checks passed."


@dataclass
class Student:
    name: str
    seed: int
    notebooks: dict
    expected: dict[str, float] | None  # test cell -> score; None: checked by its own test
    batch: list[variants.Variant]


def variants_dir(repo: Path, assignment: str) -> Path:
    return repo / "tests" / "variants" / assignment


def variant_batches(repo: Path, assignment: str) -> list[list[variants.Variant]]:
    folder = variants_dir(repo, assignment)
    return variants.batches(variants.load(folder)) if folder.is_dir() else []


def batch_name(batch: list[variants.Variant], index: int) -> str:
    return f"{'lose' if batch[0].must_lose else 'full'}-{index:02d}"


def plan_students(course: Course, assignment: str, repo: Path) -> list[Student]:
    test_points = grading.max_points(course, assignment)
    solution_ids = {gid for _, master, _ in submissions.assignment_notebooks(course, assignment)
                    for gid in submissions.solution_sources(master)}
    batches = variant_batches(repo, assignment)
    variants.validate([v for b in batches for v in b], solution_ids, set(test_points))
    full = {gid: pts for gid, pts in test_points.items()}
    students = [Student(f"solution-seed{seed}", seed, submissions.build(course, assignment), full, [])
                for seed in SEEDS]
    students.append(Student("blank", 0, submissions.build(course, assignment, blank=True),
                            {gid: 0.0 for gid in test_points}, []))
    for index, batch in enumerate(batches):
        replaced = {gid: code for variant in batch for gid, code in variant.cells.items()}
        notebooks = submissions.build(course, assignment, replaced)
        students.append(Student(batch_name(batch, index), 0, notebooks,
                                variants.expected_scores(batch, test_points), batch))
    return students


@dataclass
class AssignmentRun:
    assignment: str
    students: dict[str, Student]
    results: dict[str, grading.GradeResult]
    courses: dict[str, Course]  # student -> the course copy that graded it

    def autograded_notebook(self, student: str, name: str) -> Path:
        return self.courses[student].autograded_dir / student / self.assignment / name


def run_assignment(repo_course: Course, assignment: str, workdir: Path) -> AssignmentRun:
    copies = []
    for i in range(PARALLEL_COPIES):
        copy = copy_course(repo_course, workdir / f"course{i}", with_release=False)
        release(copy, [assignment])
        copies.append(copy)
    students = plan_students(copies[0], assignment, repo_course.root)
    shares = [students[i::PARALLEL_COPIES] for i in range(PARALLEL_COPIES)]

    def grade_share(course: Course, share: list[Student]) -> list[tuple[Student, grading.GradeResult]]:
        submitted = course.root / "submitted"
        out = []
        with WorkerProcess(grading.grader_environment(grading.GradingOptions())) as worker:
            for student in share:
                submissions.write(submitted, student.name, assignment, student.notebooks)
                # One thread per kernel, as `dgmcourse grade --jobs 2` gives them: two copies share the cores.
                options = grading.GradingOptions(seed=student.seed, feedback=False, kernel_threads=1)
                out.append((student, grading.grade_submission(course, submitted, student.name, assignment,
                                                              options=options, worker=worker)))
        return out

    with ThreadPoolExecutor(PARALLEL_COPIES) as pool:
        graded = list(pool.map(grade_share, copies, shares))
    results, where = {}, {}
    for course, pairs in zip(copies, graded):
        for student, result in pairs:
            results[student.name] = result
            where[student.name] = course
    return AssignmentRun(assignment, {s.name: s for s in students}, results, where)


def describe_mismatch(result: grading.GradeResult, expected: dict[str, float]) -> str:
    lines = [f"{result.student}: status {result.status} {result.reason}".rstrip()]
    for gid, want in sorted(expected.items()):
        try:
            got = result.cell(gid).score
        except KeyError:
            got = None
        mark = "" if got == want else "   <-- expected %g" % want
        lines.append(f"  {gid}: {got}{mark}")
    return "\n".join(lines)


def visible_checks_passed(run: AssignmentRun, student: str) -> dict[str, bool]:
    """Test cell grade id -> whether its graded output shows that its visible checks passed."""
    passed = {}
    for name in run.students[student].notebooks:
        path = run.autograded_notebook(student, name)
        if not path.is_file():
            continue
        for cell in nb.load(path).get("cells", []):
            if nb.is_test(cell):
                printed = "".join(nb.source({"source": out.get("text", "")}) for out in cell.get("outputs", [])
                                  if out.get("output_type") == "stream" and out.get("name") == "stdout")
                passed[nb.grade_id(cell)] = VISIBLE_CHECKS_PASSED in printed
    return passed


def visible_check_misses(run: AssignmentRun, student: str) -> dict[str, list[str]]:
    """`# caught: visible` variant of this student -> the cells of its own task(s) it loses, when the visible
    checks of every one of them passed (the student would meet the mistake only in the grade).

    The student meets a mistake at the task where it was made: it is caught when at least one test cell of
    that task fails its visible checks. Later tasks that lose points because they use the broken function are
    consequences; their visible checks need not catch it.
    """
    caught = [v for v in run.students[student].batch if v.caught_by_visible_checks]
    passed = visible_checks_passed(run, student) if caught else {}
    misses = {}
    for variant in caught:
        for task in sorted({nb.task_of(gid) for gid in variant.cells}):
            own = sorted(gid for gid in variant.loses if nb.task_of(gid) == task)
            if own and all(passed.get(gid, True) for gid in own):
                misses.setdefault(variant.name, []).extend(own)
    return misses


def describe_visible_misses(misses: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: the visible checks of {', '.join(cells)} passed, only the hidden tests caught it"
                     for name, cells in sorted(misses.items()))
