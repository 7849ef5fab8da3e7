"""Grading throughput: the same N submissions graded by plain nbgrader and by ``dgmcourse grade``.

Three runs over identical copies of the reference solution (the most work a submission can
make the grader do):

- ``nbgrader autograde <assignment>``: one process grades everyone in turn, with nbgrader's
  stock configuration (the per-cell limit is the course's) and no sandbox; what an instructor
  would otherwise run;
- ``dgmcourse grade --jobs 1``: staging, repair, tamper scan, sandboxed kernels, canaries,
  feedback;
- ``dgmcourse grade --jobs 2``;
- ``dgmcourse grade --scheduler`` on a local Dask cluster of two single-thread worker processes
  over TCP: the same grading function, shipped as tasks (target: within 10 % of ``--jobs 2``).

It also measures what bounds a cluster of any size: the coordinator records every result
itself (graded notebook, feedback, gradebook rows, ledger row), so its records per second,
on sqlite and, given a ``postgres_url``, on PostgreSQL, cap the batch's rate. The projection
for 1,500 notebooks on 8, 32 and 128 worker cores uses the measured core-seconds per notebook
and that cap.

Every run must grade every submission with full marks, or its time means nothing and the
section fails.

Two jobs cannot be more than twice as fast, and on a shared virtual machine they are less:
the section first measures the machine's own ceiling, the speedup of running the same
CPU-bound Python work as two processes at once instead of one after the other.
"""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

from dgmcourse.instructor import grading, submissions
from dgmcourse.instructor.course import CONFIG_FILE, Course, copy_course
from dgmcourse.instructor.release import release
from dgmcourse.instructor.bench.timing import BenchFailure, load_average, machine_cpu_seconds, stopwatch

# nbgrader's defaults, but the course's id and per-cell limit, so that both graders allow the same time.
PLAIN_CONFIG = '''c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "deep-generative-models"
c.Execute.timeout = 300
'''
STUDENTS_IN_A_TERM = 300
PROJECTED_NOTEBOOKS = 1500
PROJECTED_CORES = (8, 32, 128)
RECORDS_TIMED = 40


def _run(command: list[str], cwd: Path, what: str) -> tuple[str, float | None]:
    """Run a grader to the end; its output and the CPU time the machine spent meanwhile."""
    cpu_before = machine_cpu_seconds()
    # Both graders see what `dgmcourse grade` gives nbgrader: seed 0, grading size, Agg.
    env = grading.grader_environment(grading.GradingOptions())
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise BenchFailure(f"{what} exited with {result.returncode}:\n{(result.stdout + result.stderr)[-3000:]}")
    cpu_after = machine_cpu_seconds()
    return result.stdout + result.stderr, None if cpu_before is None else cpu_after - cpu_before


SPIN = "import time\nt = time.perf_counter()\nx = 0\nfor i in range({n}):\n    x += i\nprint(time.perf_counter() - t)"


def parallel_ceiling(tasks: int = 4, loop: int = 12_000_000) -> dict:
    """Speedup of ``tasks`` CPU-bound processes run two at a time over the same run one at a time."""
    command = [sys.executable, "-c", SPIN.format(n=loop)]
    with stopwatch() as serial:
        for _ in range(tasks):
            subprocess.run(command, check=True, capture_output=True)
    with stopwatch() as paired:
        for _ in range(tasks // 2):
            pair = [subprocess.Popen(command, stdout=subprocess.DEVNULL) for _ in range(2)]
            for process in pair:
                process.wait()
    return {"serial_seconds": round(serial(), 2), "two_at_a_time_seconds": round(paired(), 2),
            "speedup": round(serial() / paired(), 2)}


def _plain_course(course: Course, root: Path, assignment: str) -> Course:
    plain = copy_course(course, root, with_release=False)
    (plain.root / CONFIG_FILE).write_text(PLAIN_CONFIG)
    _run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"], plain.root,
         "nbgrader generate_assignment (plain course)")
    return plain


def _students(n: int) -> list[str]:
    return [f"student-{i:03d}" for i in range(1, n + 1)]


def _check_plain_scores(plain: Course, assignment: str, students: list[str]) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(plain.db_url) as gradebook:
        for student in students:
            submission = gradebook.find_submission(assignment, student)
            if abs(submission.score - submission.max_score) > 1e-9:
                raise BenchFailure(f"plain nbgrader gave {student} {submission.score:g}/{submission.max_score:g}; "
                                   "the reference solution must get full marks")


def _check_dgmcourse_output(output: str, students: list[str], jobs) -> None:
    graded = dict(re.findall(r"^(\S+) / \S+: graded (\S+)$", output, flags=re.MULTILINE))
    for student in students:
        score = graded.get(student)
        if score is None:
            raise BenchFailure(f"dgmcourse grade {_how(jobs)} did not grade {student}:\n{output[-3000:]}")
        got, full = score.split("/")
        if float(got) != float(full):
            raise BenchFailure(f"dgmcourse grade {_how(jobs)} gave {student} {score}; expected full marks")


def _how(jobs) -> str:
    return f"--jobs {jobs}" if isinstance(jobs, int) else str(jobs)


@contextlib.contextmanager
def local_dask_cluster(workers: int):
    """A Dask scheduler and ``workers`` single-thread worker processes on 127.0.0.1, over TCP."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def records_per_second(course: Course, assignment: str, student: str, db_url: str = "",
                       n: int = RECORDS_TIMED) -> dict:
    """How many results a second the coordinator records: graded notebook, feedback, gradebook rows, ledger.

    One real outcome (``student``'s, graded by the runs before) is recorded ``n`` times under new
    student names, exactly as ``grade_all`` records a result that arrives from a worker.
    """
    import tempfile
    import time

    from dgmcourse.instructor.grading_task import TaskOutcome
    from dgmcourse.instructor.ledger import Ledger
    from dgmcourse.instructor.course import connection_url

    target = Course(course.root, db_url) if db_url else course
    if db_url:
        release(target, [assignment])  # the assignment's rows in that database
    autograded = course.autograded_dir / student / assignment
    pages = course.feedback_dir / student / assignment
    outcome = TaskOutcome(0, "", "", {p.name: p.read_bytes() for p in autograded.iterdir() if p.is_file()},
                          {p.name: p.read_bytes() for p in pages.glob("*.html")})
    ledger = Ledger(connection_url(target.db_url))
    with tempfile.TemporaryDirectory(prefix="dgmcourse-records-") as tmp:
        task, staged = grading.prepare(course, course.root / "submitted", student, assignment,
                                       grading.GradingOptions(), Path(tmp))
        started = time.perf_counter()
        for i in range(n):
            task.student = f"records-{i:03d}"
            result = grading.finish(target, task, staged, outcome, time.monotonic())
            ledger.record(task.student, assignment, "0" * 64, "0" * 64, result.status, result.to_dict())
        seconds = time.perf_counter() - started
    ledger.close()
    if result.score != result.max_score:
        raise BenchFailure(f"a recorded copy of {student}'s result scored {result.score:g}/{result.max_score:g}")
    return {"records": n, "seconds": round(seconds, 2), "records_per_second": round(n / seconds, 1),
            "database": "postgresql" if db_url else "sqlite"}


def measure(course: Course, work: Path, assignment: str, n_submissions: int = 8, echo=print,
            postgres_url: str = "") -> dict:
    """Time the three ways of grading ``n_submissions`` copies of the solution of ``assignment``."""
    if n_submissions < 2:
        raise ValueError("grading throughput needs at least 2 submissions")
    students = _students(n_submissions)
    ours = copy_course(course, work / "dgmcourse-course", with_release=False)
    release(ours, [assignment])
    plain = _plain_course(course, work / "plain-course", assignment)
    solution = submissions.build(ours, assignment)
    for root in (ours.root, plain.root):
        for student in students:
            submissions.write(root / "submitted", student, assignment, solution)

    echo("  the machine's parallel ceiling (the same Python work, serial and two at a time) ...")
    ceiling = parallel_ceiling()
    runs = {}
    echo(f"  plain nbgrader autograde, serial, {n_submissions} submissions ...")
    with stopwatch() as elapsed:
        _, cpu = _run([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"], plain.root,
                      "plain nbgrader autograde")
    _check_plain_scores(plain, assignment, students)
    runs["nbgrader_serial"] = {"seconds": round(elapsed(), 2), "cpu_seconds": cpu, "load_average": load_average()}

    grade = [sys.executable, "-m", "dgmcourse.cli", "--course", str(ours.root), "grade", str(ours.root / "submitted"),
             "--regrade"]  # every run grades all N: the ledger would skip what an earlier run graded
    for jobs in (1, 2):
        echo(f"  dgmcourse grade --jobs {jobs}, {n_submissions} submissions ...")
        with stopwatch() as elapsed:
            output, cpu = _run(grade + ["--jobs", str(jobs)], ours.root, f"dgmcourse grade --jobs {jobs}")
        _check_dgmcourse_output(output, students, f"--jobs {jobs}")
        runs[f"dgmcourse_jobs{jobs}"] = {"seconds": round(elapsed(), 2), "cpu_seconds": cpu,
                                         "load_average": load_average()}
    echo(f"  dgmcourse grade --scheduler (a local Dask cluster, 2 workers x 1 thread), {n_submissions} submissions ...")
    with local_dask_cluster(2) as address, stopwatch() as elapsed:
        output, cpu = _run(grade + ["--scheduler", address], ours.root, "dgmcourse grade --scheduler")
    _check_dgmcourse_output(output, students, "--scheduler")
    runs["dgmcourse_dask2"] = {"seconds": round(elapsed(), 2), "cpu_seconds": cpu, "load_average": load_average()}
    echo("  the coordinator's records per second (gradebook, files, ledger) ...")
    records = {"sqlite": records_per_second(ours, assignment, students[0])}
    if postgres_url:
        records["postgresql"] = records_per_second(ours, assignment, students[0], postgres_url)

    cores = os.cpu_count() or 1
    for run in runs.values():
        run["seconds_per_submission"] = round(run["seconds"] / n_submissions, 2)
        if run["cpu_seconds"] is not None:
            # CPU the machine spent per submission, and the share of its cores kept busy:
            # below 1 at --jobs 2, the cores waited for something.
            run["cpu_seconds_per_submission"] = round(run["cpu_seconds"] / n_submissions, 2)
            run["core_utilisation"] = round(run["cpu_seconds"] / (run["seconds"] * cores), 2)
            run["cpu_seconds"] = round(run["cpu_seconds"], 1)
    serial = runs["nbgrader_serial"]["seconds"]
    jobs1, jobs2 = runs["dgmcourse_jobs1"]["seconds"], runs["dgmcourse_jobs2"]["seconds"]
    dask2 = runs["dgmcourse_dask2"]["seconds"]
    per_submission = jobs2 / n_submissions
    # Core-seconds one notebook costs a worker: two single-thread workers kept the two cores busy.
    core_seconds = dask2 * 2 / n_submissions
    slowest_records = min(r["records_per_second"] for r in records.values())
    projection = {}
    for cores in PROJECTED_CORES:
        compute = PROJECTED_NOTEBOOKS * core_seconds / cores
        recording = PROJECTED_NOTEBOOKS / slowest_records
        projection[str(cores)] = {"hours": round(max(compute, recording) / 3600, 2),
                                  "limited_by": "worker cores" if compute >= recording else "coordinator records"}
    return {
        "assignment": assignment,
        "submissions": n_submissions,
        "runs": runs,
        "parallel_ceiling": ceiling,
        "speedup_jobs2_vs_nbgrader": round(serial / jobs2, 2),
        "overhead_jobs1_vs_nbgrader": round(jobs1 / serial - 1, 3),
        "projected_hours_300x5_at_jobs2": round(per_submission * STUDENTS_IN_A_TERM * 5 / 3600, 2),
        "dask2_vs_jobs2": round(dask2 / jobs2 - 1, 3),
        "core_seconds_per_notebook": round(core_seconds, 2),
        "coordinator": records,
        "projected_1500_notebooks": projection,
        "targets": {"speedup_jobs2_vs_nbgrader": ">= 1.7", "overhead_jobs1_vs_nbgrader": "<= 0.15",
                    "dask2_vs_jobs2": "<= 0.10"},
    }
