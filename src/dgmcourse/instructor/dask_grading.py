"""Grading on a Dask cluster: the same ``run_task`` as the local pool, run by the cluster's workers.

The coordinator (this process) stages and packs each submission, sends each assignment's pack
to the cluster once, submits one task per submission and records each outcome as it arrives:
workers never see the course folder or the gradebook, and need only the course package (at
the same version) and bubblewrap.

A worker that dies mid-task has its task run again on another worker; the scheduler gives up
on a task after more than ``distributed.scheduler.allowed-failures`` workers died holding it
(3 by default). A dying worker is blamed on every task it held, so a task given up on is
graded once more, alone on the cluster, after the rest: an innocent one is graded then, and
one that kills its workers again is recorded as ``crashed`` with that reason. A poisoned
submission costs at most twice the allowed failures, never the cluster or the batch.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dgmcourse.instructor.course import Course
from dgmcourse.instructor.grading import (
    CRASHED,
    Batch,
    GradeResult,
    GradingOptions,
    _invalid,
    _not_packed,
    finish,
    max_points,
    prepare,
    recorded,
    run_task,
)
from dgmcourse.instructor.grading_task import AssignmentPack, TaskOutcome


def _record(course: Course, task, staged, outcome, begun: float, done, warn) -> None:
    result = finish(course, task, staged, outcome, begun, warn=warn)
    done(result, ledgered=recorded(result))


def _not_graded(course: Course, task, error: Exception, begun: float, done) -> None:
    """The cluster or a worker's machine failed, not the submission: reported, recorded nowhere."""
    done(GradeResult(task.student, task.assignment, CRASHED,
                     f"not graded on the cluster ({type(error).__name__}: {error}); nothing was recorded: run "
                     "`dgmcourse grade` again to grade it", max_score=sum(max_points(course, task.assignment).values()),
                     seconds=time.monotonic() - begun), ledgered=False)


def the_pack(pack: AssignmentPack) -> AssignmentPack:
    return pack


def connect(scheduler):
    """A ``distributed.Client`` for an address (``tcp://host:8786``), or the client given."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    return Client(scheduler, timeout="60s"), True


def grade_on_cluster(course: Course, submitted_dir: Path, pending: list[tuple[str, str]], packs: dict,
                     options: GradingOptions, scheduler, done, started=None, *, unchanged: int = 0,
                     warn=None) -> None:
    """Grade ``pending`` on the cluster; ``done(result, ledgered=...)`` is called here, one result at a time."""
    import tempfile

    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    client, owned = connect(scheduler)
    try:
        if started:
            started(Batch(len(pending), unchanged, client.dashboard_link or ""))
        # Each pack is a task of its own that the grading tasks depend on: it travels once per worker
        # that needs it, and unlike scattered data, the scheduler can make it again when the worker
        # holding it dies. Nor does it need a worker to exist yet (an adaptive cluster may start at 0).
        sent = {name: client.submit(the_pack, pack, key=f"pack-{name}-{pack.fingerprint[:16]}", pure=False)
                for name, pack in packs.items() if isinstance(pack, AssignmentPack)}
        futures = {}
        # Staging reads and repairs each notebook here; a thread does it while the first tasks run.
        with tempfile.TemporaryDirectory(prefix="dgmcourse-stage-") as tmp, ThreadPoolExecutor(1) as stager:
            def staged_task(pair):
                student, assignment = pair
                begun = time.monotonic()
                task, staged = prepare(course, submitted_dir, student, assignment, options, Path(tmp, student))
                return pair, begun, task, staged

            for pair, begun, task, staged in stager.map(staged_task, pending):
                student, assignment = pair
                if task is None:
                    done(_invalid(course, student, assignment, staged, begun))
                    continue
                if assignment not in sent:
                    done(_not_packed(student, assignment, packs.get(assignment), begun,
                                     sum(max_points(course, assignment).values())), ledgered=False)
                    continue
                future = client.submit(run_task, task, sent[assignment], pure=False,
                                       key=f"grade-{assignment}-{student}-{time.monotonic_ns()}")
                futures[future] = (task, staged, begun)
            suspects = []
            for future in as_completed(list(futures)):
                task, staged, begun = futures.pop(future)
                try:
                    outcome = future.result()
                except KilledWorker:
                    # A worker that dies is blamed on every task it held, not only the one that killed
                    # it; so each such task is graded again below, alone on the cluster.
                    suspects.append((task, staged, begun))
                    continue
                except Exception as error:  # the cluster or a worker's machine failed, not the submission
                    _not_graded(course, task, error, begun, done)
                    continue
                _record(course, task, staged, outcome, begun, done, warn)
            for task, staged, begun in suspects:
                if warn:
                    warn(f"{task.student}/{task.assignment}: Dask workers died while holding it; grading it "
                         "again, alone on the cluster")
                future = client.submit(run_task, task, sent[task.assignment], pure=False,
                                       key=f"alone-{task.assignment}-{task.student}-{time.monotonic_ns()}")
                try:
                    outcome = future.result()
                except KilledWorker as error:
                    # Recorded: the submission itself kills workers, and grading it again would too.
                    outcome = TaskOutcome(1, "[ERROR] every Dask worker that graded this submission died, also "
                                             f"when it was graded alone ({error}); it was not tried again, so it "
                                             "cannot take the cluster down. Look at the notebook before grading "
                                             "it again.", None)
                except Exception as error:
                    _not_graded(course, task, error, begun, done)
                    continue
                _record(course, task, staged, outcome, begun, done, warn)
    finally:
        if owned:
            client.close()
