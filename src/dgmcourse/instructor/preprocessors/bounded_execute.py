"""Execution that always ends with a verdict for every cell.

nbgrader's ``Execute`` has a per-cell limit only, and when the kernel dies or ignores
the interrupt it raises and no grade is saved at all. ``BoundedExecute`` adds:

- a whole-notebook wall-time limit (each cell's limit shrinks to what is left);
- a kernel that does not answer the interrupt after a timeout is killed;
- when the kernel is gone (crash, ``os._exit``, out of memory, killed), every cell that
  did not run gets an error output, so test cells after the failure score 0 and the
  cells before it keep their points;
- a cap on output bytes per cell and per notebook, applied as messages arrive;
- integrity canaries before each test cell (``canaries.py``): if assertions, checking
  helpers, builtins or IPython's input handling were tampered with, the test cell is
  failed without running and the reason is recorded;
- test cells named in the grading plan (static findings) are failed without running;
- after the last cell, while the kernel still holds the student's names, the tasks that
  lost points are probed and their mistakes named where the catalogue can (``diagnosis.py``).

What happened is recorded in the notebook's metadata under ``dgmcourse`` for the grader.
"""
from __future__ import annotations

import ast
import hashlib
import json
import secrets
from time import monotonic

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_output
from traitlets import Bool, Integer, Unicode

from nbgrader import utils
from nbgrader.preprocessors import Execute

from dgmcourse.instructor.cell_names import bound_names, builtins_read
from dgmcourse.instructor.diagnosis import diagnose
from dgmcourse.instructor.preprocessors.canaries import CANARY_TIMEOUT, fingerprint_changes, tampering_problem

METADATA_KEY = "dgmcourse"
# How the grader reaches its helpers in the kernel without binding a name there.
GUARD = "__import__('dgmcourse.instructor.kernel_guard', fromlist=['_'])"
PROBES = "__import__('dgmcourse.instructor.probe_outputs', fromlist=['_'])"
PROBE_TIMEOUT = 30  # seconds for one task's probes; a student function that hangs there names nothing


def _source_key(text: str) -> str:
    """What kernel_guard.leave_test matches linecache entries by (never the text itself)."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


MAX_ANSWER_CHARS = 4_000_000  # the longest answer read back from a helper in the kernel


def string_literal(text) -> str:
    """The string a ``repr(str)`` spells; ``ValueError`` for anything else or anything longer than allowed."""
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
        raise ValueError("not an answer of the grader's helpers")
    node = ast.parse(text.strip(), mode="eval").body  # one pass over bounded text
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        raise ValueError("not a string")
    return node.value


def _error(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class BoundedExecute(Execute):

    notebook_timeout = Integer(0, help="Whole-notebook wall-time limit in seconds (0: none).").tag(config=True)
    max_output_bytes_per_cell = Integer(1_000_000, help="Output kept per cell, in bytes.").tag(config=True)
    max_output_bytes = Integer(5_000_000, help="Output kept per notebook, in bytes.").tag(config=True)
    canaries = Bool(True, help="Run integrity canaries before each test cell.").tag(config=True)
    grading_plan = Unicode("", help="JSON file with {'blocked': {grade_id: reason}} from the static scan.").tag(
        config=True)

    def __init__(self, *args, **kwargs):
        # nbgrader's Execute passes AsyncKernelManager as an argument, which outranks the
        # configuration when the preprocessor is made with `config=` (as the grading worker
        # does); the course's kernel manager goes in first, so it is used either way.
        from dgmcourse.instructor.sandbox.sandbox_only import SandboxOnlyKernelManager

        kwargs.setdefault("kernel_manager_class", SandboxOnlyKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = monotonic() + self.notebook_timeout if self.notebook_timeout > 0 else None
        self._stop_reason: str | None = None
        self._stop_kind: str | None = None
        self._cell_bytes: dict[int, int] = {}
        self._total_bytes = 0
        self._truncated: set[int] = set()
        self._nonce = secrets.token_hex(8)
        self._canary_running = False
        self._record = {"tampering": {}, "stopped": None, "stop_kind": None, "truncated_cells": []}
        self._baseline: dict | None = None
        self._locked_ids: dict[str, int] = {}
        self._replies: dict[int, dict] = {}
        self._errors_seen = 0
        self._cleared_error = False
        plan = {}
        if self.grading_plan:
            with open(self.grading_plan, encoding="utf-8") as handle:
                plan = json.load(handle)
        self._blocked = plan.get("blocked", {})
        self._catalogue = plan.get("diagnosis") or {}
        started = monotonic()
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            # Kernel start to kernel shutdown: what `dgmcourse bench` reports as a notebook's run time.
            self._record["execution_seconds"] = round(monotonic() - started, 3)
            self._record["stopped"], self._record["stop_kind"] = self._stop_reason, self._stop_kind
            self._record["truncated_cells"] = sorted(self._truncated)
            nb.metadata[METADATA_KEY] = self._record
        return nb, resources

    def create_kernel_manager(self):
        """The kernel manager nbclient will start the kernel with, checked when it is made.

        The course's kernel manager decides whether a kernel may start unsandboxed; another one
        named on the command line (``--Execute.kernel_manager_class=...``) must not take that
        decision away silently. Checked here, not earlier: configuration can still change
        between the preprocessor's creation and the kernel's start.
        """
        import os

        from dgmcourse.instructor.sandbox.sandbox_only import (
            OPT_OUT_ENV, SandboxOnlyKernelManager, UnsandboxedKernelRefused, refusal_message)

        km = super().create_kernel_manager()
        if not isinstance(km, SandboxOnlyKernelManager) and os.environ.get(OPT_OUT_ENV) != "1":
            self.km = None
            kind = type(km)
            raise UnsandboxedKernelRefused(f"Execute.kernel_manager_class is {kind.__module__}.{kind.__name__}, "
                                           "not the course's SandboxOnlyKernelManager. " + refusal_message(os.getcwd()))
        return km

    # --- limits -------------------------------------------------------------------
    def _get_timeout(self, cell):
        if self._canary_running:
            return getattr(self, "_snippet_timeout", None) or CANARY_TIMEOUT
        timeout = super()._get_timeout(cell)
        if self._deadline is not None:
            left = max(1, int(self._deadline - monotonic()))
            timeout = left if timeout is None else min(timeout, left)
        return timeout

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._cell_bytes.get(cell_index, 0) + size
        if used > self.max_output_bytes_per_cell or self._total_bytes + size > self.max_output_bytes:
            if cell_index not in self._truncated:
                self._truncated.add(cell_index)
                outs.append(new_output("stream", name="stdout", text=(
                    f"\n[dgmcourse: further output of this cell was dropped; the grader keeps at most "
                    f"{self.max_output_bytes_per_cell} bytes per cell and {self.max_output_bytes} per notebook]\n")))
            return None
        self._cell_bytes[cell_index] = used
        self._total_bytes += size
        if msg.get("msg_type") == "error":
            self._errors_seen += 1
        if self.clear_before_next_output and any(o.get("output_type") == "error" for o in outs):
            self._cleared_error = True  # clear_output(wait=True) is about to remove an error
        return super().output(outs, msg, display_id, cell_index)

    def handle_comm_msg(self, outs, msg, cell_index):
        """Ignore widget traffic: grading needs none, and nbclient would keep all of it in this process."""
        return None

    # --- cells ----------------------------------------------------------------------
    def _stop(self, kind: str, reason: str) -> None:
        if self._stop_reason is None:
            self._stop_kind, self._stop_reason = kind, reason

    def _kill_kernel(self) -> None:
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as error:  # the kernel may already be gone
            self.log.warning("could not stop the kernel: %s", error)

    def _fail_without_running(self, cell, ename: str, reason: str):
        cell.outputs = [_error(ename, reason)]
        return cell, self.resources

    def preprocess_cell(self, cell, resources, index):
        cell, resources = self._preprocess_one_cell(cell, resources, index)
        if index == len(self.nb.cells) - 1 and self._catalogue and self._stop_reason is None:
            # The kernel still holds the student's names: the one moment the mistakes can be named.
            self._record.update(diagnose(self.nb, self._catalogue, self._probe_in_kernel))
        return cell, resources

    def _probe_in_kernel(self, source: str, task: str) -> str | None:
        """The student's outputs on one task's probes (JSON from ``probe_outputs.kernel_answer``), or None."""
        call = f"{PROBES}.kernel_answer({source!r}, {task!r})"
        return self._user_expressions({"answer": call}, timeout=PROBE_TIMEOUT).get("answer")

    def _preprocess_one_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if self._stop_reason is None and self._deadline is not None and monotonic() >= self._deadline:
            self._stop("timed-out", f"the notebook reached its time limit of {self.notebook_timeout} s")
        if self._stop_reason is not None:
            return self._fail_without_running(cell, "NotRun", f"not run: {self._stop_reason}")
        if self.canaries and self._baseline is None:
            self._take_baseline()  # before the first cell: no student code has run yet
        test = utils.is_grade(cell) and not utils.is_solution(cell)
        if not test:
            cell, resources = self._execute(cell, resources, index, store_history=True)
            if self.canaries and utils.is_locked(cell) and not utils.is_solution(cell) and self._stop_reason is None:
                self._remember_locked_bindings(cell)
            return cell, resources
        grade_id = cell.metadata.nbgrader.get("grade_id", "")
        if grade_id in self._blocked:
            self._record["tampering"][grade_id] = self._blocked[grade_id]
            return self._fail_without_running(cell, "TamperingDetected", self._blocked[grade_id])
        if self.canaries:
            problem = self._check_integrity() or self._guard("enter_test", self._locked_ids,
                                                               builtins_read(cell.source))
            if problem:
                self._record["tampering"][grade_id] = problem
                return self._fail_without_running(cell, "TamperingDetected", f"{problem}; this test was not run")
        self._errors_seen = 0
        self._cleared_error = False
        # No entry in In, _ih or the history: the test's text is not left where student code looks.
        cell, resources = self._execute(cell, resources, index, store_history=False)
        if self._stop_reason is not None:
            return cell, resources
        problem = self._outcome_problem(cell, self._replies.pop(index, {}))
        if self.canaries:
            problem = problem or self._guard("leave_test", _source_key(cell.source)) or self._check_integrity()
        if problem:
            # Found after the test ran: the test itself may have been faked, so it fails too.
            self._record["tampering"][grade_id] = problem
            cell.outputs = [_error("TamperingDetected", f"{problem}; this test does not count")]
        return cell, resources

    def _execute(self, cell, resources, index, *, store_history: bool):
        try:
            self._check_assign_resources(resources)
            return self.execute_cell(cell, index, store_history=store_history), self.resources
        except DeadKernelError:
            self._stop("crashed", "the kernel died (it crashed, exited, was killed or ran out of memory)")
            cell.outputs.append(_error("KernelDied", self._stop_reason))
        except CellTimeoutError:
            # The interrupt was ignored: the kernel still runs the cell. Stop it for good.
            self._kill_kernel()
            self._stop("timed-out", "the kernel did not stop when interrupted at the time limit and was killed")
            cell.outputs.append(_error("CellTimeoutError", self._stop_reason))
        return cell, self.resources

    # --- what a test cell's outcome is ------------------------------------------------
    def on_cell_executed(self, **kwargs):
        self._replies[kwargs["cell_index"]] = kwargs["execute_reply"].get("content", {})
        return super().on_cell_executed(**kwargs)

    def _outcome_problem(self, cell, reply: dict) -> str | None:
        """Make a test cell's outputs say exactly whether it raised; name any sign of faking.

        nbgrader scores a test cell by its first ``execute_result`` (read as partial credit)
        or ``error`` output. A test cell of this course scores by whether it raised and
        nothing else, so a result that student code sent (``sys.displayhook``, a thread)
        becomes a plain display, and the error comes from the kernel's reply.
        """
        raised = reply.get("status") == "error"
        outputs = []
        for output in cell.outputs:
            if output.output_type == "execute_result":
                outputs.append(new_output("display_data", data=output.get("data", {}),
                                          metadata=output.get("metadata", {})))
            elif output.output_type != "error" or raised:
                outputs.append(output)
        if raised and not any(o.output_type == "error" for o in outputs):
            outputs.append(new_output("error", ename=reply.get("ename", "Error"), evalue=reply.get("evalue", ""),
                                      traceback=reply.get("traceback")
                                      or [f"{reply.get('ename')}: {reply.get('evalue')}"]))
        cell.outputs = outputs
        if self._errors_seen and not raised:
            return "tampering detected: the test raised an error, yet the kernel reported success"
        if self._cleared_error:
            return "tampering detected: the error output of this test was cleared"
        return None

    def clear_output(self, outs, msg, cell_index):
        if any(o.get("output_type") == "error" for o in outs):
            self._cleared_error = True
        return super().clear_output(outs, msg, cell_index)

    # --- the namespace and the machinery a test relies on -----------------------------
    def _take_baseline(self) -> None:
        answer = self._user_expressions({"installed": f"{GUARD}.install()", "fingerprint": f"{GUARD}.fingerprint()"})
        try:
            self._baseline = json.loads(answer["fingerprint"])
        except (KeyError, TypeError, ValueError, RecursionError):
            self._baseline = {}  # compared with a real fingerprint, everything will look changed

    def _remember_locked_bindings(self, cell) -> None:
        names = bound_names(cell.source)
        if names:
            answer = self._user_expressions({"kept": f"{GUARD}.record({names!r})"})
            try:
                self._locked_ids.update(json.loads(answer["kept"]))
            except (KeyError, TypeError, ValueError, RecursionError):
                pass  # enter_test will find the names missing and say so

    def _guard(self, function: str, *arguments) -> str:
        """Call ``kernel_guard.function(*arguments)``; its answer, or what went wrong."""
        call = f"{GUARD}.{function}({', '.join(repr(a) for a in arguments)})"
        answer = self._user_expressions({"answer": call}).get("answer")
        if not isinstance(answer, str):
            return "tampering detected: the kernel did not answer the grader's namespace check"
        return answer and f"tampering detected: {answer}"

    def _user_expressions(self, expressions: dict[str, str], timeout: int | None = None) -> dict:
        """Evaluate expressions in the kernel outside any cell; their values (strings), or {}.

        Every helper the grader calls in the kernel answers with a string. How a value is printed
        is the kernel's to decide (student code can register a formatter for ``str``), so the
        text is read as one string literal of bounded size or not at all: never as an arbitrary
        literal, whose parsing student-chosen text could make take hours or gigabytes here, in
        the grader, outside every limit of the kernel.
        """
        try:
            reply = self._run_snippet("", expressions, timeout)
        except (DeadKernelError, CellTimeoutError, TimeoutError):
            return {}
        values = {}
        for key, value in (reply.get("user_expressions") or {}).items():
            try:
                values[key] = string_literal(value["data"]["text/plain"])
            except (KeyError, TypeError, ValueError, SyntaxError, MemoryError, RecursionError):
                continue  # missing or malformed: the caller treats it as a kernel that did not answer
        return values

    def _check_integrity(self) -> str | None:
        """The first sign of tampering with what tests rely on, or None.

        The fingerprint comes first: it names the mechanism (an event callback, a replaced
        ``showtraceback``) where the canaries would only see its effect.
        """
        now = self._user_expressions({"fingerprint": f"{GUARD}.fingerprint()"}).get("fingerprint")
        try:
            changed = fingerprint_changes(self._baseline, json.loads(now))
        except (TypeError, ValueError, RecursionError):
            return "tampering detected: the kernel did not answer the integrity check"
        if changed:
            return "tampering detected: student code changed " + ", ".join(changed[:6]) + \
                (f" and {len(changed) - 6} more" if len(changed) > 6 else "")
        try:
            return tampering_problem(self._run_snippet, self._nonce)
        except (DeadKernelError, CellTimeoutError):
            return "the kernel did not answer the integrity check"

    def _run_snippet(self, code: str, user_expressions: dict[str, str] | None = None,
                     timeout: int | None = None) -> dict:
        """Run code (and evaluate expressions) in the kernel outside any cell, under the canaries' time
        limit (or ``timeout``); the shell reply's content."""
        self._snippet_timeout = timeout
        self._canary_running = True
        try:
            msg_id = run_sync(ensure_async)(self.kc.execute(code, store_history=False, stop_on_error=False,
                                                            user_expressions=user_expressions or {}))
            return (self.wait_for_reply(msg_id) or {}).get("content", {})
        finally:
            self._canary_running = False
