"""A Dask worker preload (``dask worker --preload tests/dask_fault_preload.py``) for the fault tests.

It stands for a submission that kills the worker process that grades it, every time, on every
worker. Student code runs in the sandboxed kernel and cannot reach the worker, so the test needs
the fault made for it: this wraps ``run_task`` on the worker so that a submission holding the
marker below ends the worker process at once, as a crash of the process would.
"""
import os

from dgmcourse.instructor import grading_task

MARKER = b"KILL-THE-DASK-WORKER"
# Dask imports a preload file once in the nanny and again in the worker process: wrap the
# original run_task, never an earlier wrapper (which would call itself without end).
_run_task = getattr(grading_task, "_run_task_before_faults", grading_task.run_task)
grading_task._run_task_before_faults = _run_task


def run_task(task, pack, worker=None):
    if any(MARKER in data for data in task.files.values()):
        os._exit(13)
    return _run_task(task, pack, worker)


grading_task.run_task = run_task
