"""Notebook run times: each master notebook at grading size, executed as the autograder does.

The reference solution of each assignment is graded like a student's submission: the
sandboxed kernel, ``BoundedExecute`` with its canaries, the hidden tests. The figure is
the time from kernel start to kernel shutdown that ``BoundedExecute`` records; the whole
submission's grading time is reported next to it.
"""
from __future__ import annotations

from pathlib import Path

from dgmcourse.instructor import grading, submissions
from dgmcourse.instructor.bench.timing import BenchFailure, load_average, median
from dgmcourse.instructor.course import Course, copy_course
from dgmcourse.instructor.grading_worker import WorkerProcess
from dgmcourse.instructor.release import release

# Seconds a student waits for the whole notebook at grading size (kernel start included).
BUDGETS = {"01_space_worms_wasserstein": 30, "02_wgan_2d": 60, "03_constrained_vi": 60,
           "04_exponential_elbo": 30, "05_mnist_vae_gan": 180,
           "06_diffusion": 60}


def measure(course: Course, work: Path, assignments: list[str] | None = None, repeats: int = 3,
            echo=print) -> dict:
    assignments = assignments or course.assignments()
    ours = copy_course(course, work / "notebooks-course", with_release=False)
    release(ours, assignments)
    submitted = ours.root / "submitted"
    runs = [f"run-{i}" for i in range(1, repeats + 1)]
    for assignment in assignments:
        solution = submissions.build(ours, assignment)
        for student in runs:
            submissions.write(submitted, student, assignment, solution)
    options = grading.GradingOptions(feedback=False)
    grading.sandbox_if_possible(options, echo)

    results = {}
    with WorkerProcess(grading.grader_environment(options)) as worker:
        for assignment in assignments:
            notebook_seconds, grading_seconds, loads = [], [], []
            for student in runs:
                result = grading.grade_submission(ours, submitted, student, assignment, options=options,
                                                  worker=worker)
                if result.status != grading.GRADED or result.score != result.max_score:
                    raise BenchFailure(f"the solution of {assignment} was {result.status} with "
                                       f"{result.score:g}/{result.max_score:g}: {result.reason}")
                notebook_seconds.append(round(result.notebook_seconds, 2))
                grading_seconds.append(round(result.seconds, 2))
                loads.append(load_average())
            budget = BUDGETS.get(assignment)
            seconds = median(notebook_seconds)
            results[assignment] = {
                "median_seconds": round(seconds, 2), "budget_seconds": budget,
                "within_budget": None if budget is None else seconds <= budget,
                "runs_seconds": notebook_seconds, "grading_seconds": grading_seconds, "load_average": loads,
            }
            echo(f"  {assignment}: median {seconds:.1f} s (runs {', '.join(f'{s:.1f}' for s in notebook_seconds)})"
                 + (f", budget {budget} s" if budget else ""))
            naming = _naming_cost(ours, submitted, assignment, options, worker)
            if naming:
                results[assignment]["naming_mistakes"] = naming
                echo(f"    naming {len(naming['named'])} mistake(s) of a partly wrong student: "
                     f"{naming['diagnosis_seconds']:.2f} s, {naming['share']:.1%} of its notebook's "
                     f"{naming['notebook_seconds']:.1f} s")
    return {"sandbox": options.sandbox, "repeats": repeats, "assignments": results}


# Naming mistakes must cost under this share of the notebook's own run.
NAMING_SHARE_TARGET = 0.10


def _naming_cost(course: Course, submitted: Path, assignment: str, options, worker) -> dict | None:
    """The demo's partly wrong student graded once: how long naming its mistakes took, against its notebook."""
    from dgmcourse.instructor.demo import partial_replacements, variants_dir

    replacements = partial_replacements(variants_dir(course, assignment))
    if not replacements:
        return None
    submissions.write(submitted, "partly-wrong", assignment, submissions.build(course, assignment, replacements))
    result = grading.grade_submission(course, submitted, "partly-wrong", assignment, options=options, worker=worker)
    if not result.notebook_seconds:
        raise BenchFailure(f"the partly wrong student of {assignment} was {result.status}: {result.reason}")
    share = result.diagnosis_seconds / result.notebook_seconds
    return {"named": sorted(d["mistake"] for d in result.diagnoses.values()),
            "diagnosis_seconds": round(result.diagnosis_seconds, 3),
            "notebook_seconds": round(result.notebook_seconds, 2), "share": round(share, 4),
            "within_target": share < NAMING_SHARE_TARGET, "load_average": load_average()}
