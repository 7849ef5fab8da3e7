"""What a task's function returns on its probe inputs, as comparable data.

Runs in two places with the same code: in the student's kernel (the sandbox), on the
student's functions after the notebook has run, and in the grader's catalogue build
(``misconceptions.py``), on the reference and on each catalogued wrong variant. Only the
*outputs* leave the kernel, as plain data (``signature``); the reference and the variants
never enter it, so no solution code is ever within reach of student code.

A probe file (``source/<assignment>/diagnosis_probes.py``, kept out of the student version)
defines, for each task it covers, ``probe_<task>(ns)``: it takes the notebook's namespace
and returns a list of outcomes, usually through ``calls``::

    def probe_w1_cdf(ns):
        f = ns["compute_wasserstein_distance"]
        return calls(f, [(p, q), (q, p)])

Probe inputs are made inside the probe, with their own seeds: the same on both sides.
"""
from __future__ import annotations

import json
import math
import numbers
import sys

MAX_VALUES = 20_000     # numbers kept per output: probes are small by design
ANSWER_LIMIT = 2_000_000  # bytes of one task's answer the grader reads back from the kernel
RTOL, ATOL = 1e-4, 1e-6


class Raised:
    """An exception a call raised, kept as an outcome (its type's name is what is compared)."""

    def __init__(self, error: BaseException):
        self.name = type(error).__name__


def calls(function, argument_lists) -> list:
    """``function(*arguments)`` for each entry (a tuple, or a dict of keyword arguments); errors kept."""
    outcomes = []
    for arguments in argument_lists:
        try:
            if isinstance(arguments, dict):
                outcomes.append(function(**arguments))
            else:
                outcomes.append(function(*arguments))
        except Exception as error:  # a wrong answer may raise: that is an outcome like any other
            outcomes.append(Raised(error))
    return outcomes


def _numbers(values) -> list:
    return [v if isinstance(v, (int, float)) and not isinstance(v, bool) else float(v) for v in values][:MAX_VALUES]


def signature(value, depth: int = 0):
    """Plain JSON data describing ``value``: its kind, dtype, shape and numbers."""
    if depth > 6:
        return {"kind": "deep"}
    if isinstance(value, Raised):
        return {"kind": "raised", "name": value.name}
    # Only what is loaded already: a value cannot be a tensor of a library nobody imported (and
    # importing torch here would cost a second in a kernel that never needed it).
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.nn.Module):
        return {"kind": "module", "state": signature(dict(value.state_dict()), depth + 1)}
    if torch is not None and isinstance(value, torch.Tensor):
        data = value.detach().cpu()
        numbers_ = data.flatten()[:MAX_VALUES]
        if data.is_complex():
            numbers_ = torch.view_as_real(numbers_).flatten()
        return {"kind": "tensor", "dtype": str(data.dtype).replace("torch.", ""), "shape": list(data.shape),
                "values": _numbers(numbers_.double().tolist() if data.dtype != torch.bool else numbers_.tolist())}
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        flat = value.reshape(-1)[:MAX_VALUES]
        numeric = flat.dtype.kind in "biuf"
        return {"kind": "array", "dtype": str(value.dtype), "shape": list(value.shape),
                "values": _numbers(flat.astype(float).tolist()) if numeric else [str(v) for v in flat.tolist()]}
    if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
        return {"kind": "bool", "value": bool(value)}
    if isinstance(value, numbers.Real):
        return {"kind": "number", "values": _numbers([float(value)])}
    if value is None:
        return {"kind": "none"}
    if isinstance(value, str):
        return {"kind": "str", "value": value[:1000]}
    if isinstance(value, (list, tuple)):
        return {"kind": "sequence", "items": [signature(v, depth + 1) for v in list(value)[:1000]]}
    if isinstance(value, dict):
        return {"kind": "mapping", "items": {str(k): signature(v, depth + 1) for k, v in list(value.items())[:1000]}}
    return {"kind": "other", "type": type(value).__name__}


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= ATOL + RTOL * abs(b)


def agree(a, b) -> bool:
    """Whether two signatures describe the same behaviour (numbers within a small tolerance)."""
    if not isinstance(a, dict) or not isinstance(b, dict) or a.get("kind") != b.get("kind"):
        return False
    kind = a["kind"]
    if kind in ("tensor", "array"):
        if a.get("dtype") != b.get("dtype") or a.get("shape") != b.get("shape"):
            return False
        va, vb = a.get("values", []), b.get("values", [])
        if len(va) != len(vb):
            return False
        if va and isinstance(va[0], str):
            return va == vb
        return all(_close(float(x), float(y)) for x, y in zip(va, vb))
    if kind == "number":
        va, vb = a.get("values", []), b.get("values", [])
        return len(va) == len(vb) == 1 and _close(float(va[0]), float(vb[0]))
    if kind == "sequence":
        ia, ib = a.get("items", []), b.get("items", [])
        return len(ia) == len(ib) and all(agree(x, y) for x, y in zip(ia, ib))
    if kind == "mapping":
        ia, ib = a.get("items", {}), b.get("items", {})
        return sorted(ia) == sorted(ib) and all(agree(ia[k], ib[k]) for k in ia)
    if kind == "module":
        return agree(a.get("state"), b.get("state"))
    return a == b


def outputs_of(probes: dict, task: str, namespace) -> dict:
    """The signature of what ``probe_<task>(namespace)`` returns; a probe that raises gives a ``raised`` outcome."""
    probe = probes.get(f"probe_{task}")
    if probe is None:
        return {"kind": "raised", "name": "NoProbe"}
    try:
        outcome = probe(namespace)
    except Exception as error:
        outcome = Raised(error)
    return signature(outcome)


def load_probes(source: str) -> dict:
    """The probe file's names (its ``probe_<task>`` functions among them)."""
    probes = {"__name__": "dgmcourse_diagnosis_probes"}
    exec(compile(source, "<diagnosis probes>", "exec"), probes)
    return probes


def kernel_answer(source: str, task: str) -> str:
    """Run in the student's kernel by the grader: the task's outputs on the student's own names, as JSON."""
    from IPython import get_ipython

    return json.dumps(outputs_of(load_probes(source), task, get_ipython().user_ns), allow_nan=True)
