"""At grading: name the mistake behind each task that lost points, where the catalogue can.

``BoundedExecute`` calls ``diagnose`` after the notebook's last cell, while the kernel still
holds the student's names. For each task of the catalogue (``misconceptions.py``) with a
failed test, the student's function is run on the task's probes in the kernel
(``probe_outputs.kernel_answer``); only the outputs come back, as plain data, and are
compared here with the reference's and each catalogued mistake's.

What comes back from the kernel is the student's to shape, so it is read as untrusted data:
at most ``ANSWER_LIMIT`` bytes, parsed as JSON, compared, never run. A student who forges it
can at most be told a mistake they did not make, in their own feedback. The probes run after
every test has been scored and cannot change a grade: a probe that fails, hangs (its time
limit ends the diagnosis) or kills the kernel only means that nothing is named.
"""
from __future__ import annotations

import json
from time import monotonic

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.misconceptions import name_mistake
from dgmcourse.instructor.probe_outputs import ANSWER_LIMIT


def failed_tests(notebook) -> set[str]:
    """Grade ids of the test cells that raised (a course test cell scores 0 exactly when it raised)."""
    return {nb.grade_id(cell) for cell in notebook.cells
            if nb.is_test(cell) and any(o.get("output_type") == "error" for o in cell.get("outputs", []))}


def diagnose(notebook, catalogue: dict, ask) -> dict:
    """``{"diagnoses": {task: {...}}, "diagnosis_seconds": s}`` for the tasks with a failed test.

    ``ask(probe_source, task)`` returns the kernel's JSON answer or None (no answer in time).
    """
    started = monotonic()
    failed = failed_tests(notebook)
    failed_tasks = {nb.task_of(gid) for gid in failed}
    diagnoses = {}
    for task, entry in catalogue.get("tasks", {}).items():
        if not failed & set(entry.get("tests", [])) or not entry.get("mistakes"):
            continue
        if failed_tasks & set(entry.get("uses", [])):
            continue  # a task it uses lost points too: what it does wrong may be that task's mistake
        answer = ask(catalogue.get("probes", ""), task)
        if not isinstance(answer, str):
            break  # the kernel did not answer in time (or is gone): probe nothing more
        if len(answer) > ANSWER_LIMIT:
            continue
        try:
            mistake = name_mistake(entry, json.loads(answer))
        except Exception:  # any shape the student's code gave its answer: nothing is named
            continue
        if mistake is not None:
            diagnoses[task] = {"mistake": mistake["name"].removeprefix("lose_"), "tells": mistake["tells"],
                               "function": entry.get("function", "")}
    return {"diagnoses": diagnoses, "diagnosis_seconds": round(monotonic() - started, 3)}
