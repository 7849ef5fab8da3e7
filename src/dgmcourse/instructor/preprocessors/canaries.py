"""Integrity canaries: snippets that must fail in a known way before each test cell runs.

Each snippet ends by raising ``AssertionError(nonce)`` only when what it checks is
intact. A test cell is run only if every snippet's reply is exactly that error. The
snippets pass through the same input transformers, AST transformers and exception
handling as the test cell, so blanking or rewriting cells, stripping ``assert``,
monkeypatching ``numpy.testing``, the course's checks or builtins all show up.
"""
from __future__ import annotations

from typing import Callable

CANARY_TIMEOUT = 15

# Names of the input transformers a fresh IPython kernel has.
DEFAULT_CLEANUP = ("leading_empty_lines", "leading_indent", "PromptStripper", "PromptStripper")

CANARIES: dict[str, str] = {
    # First, so that the reason names the mechanism rather than its effect on assert.
    "IPython's input handling or exception handling was changed": (
        "import sys as _dgm_s\n_dgm_ip = get_ipython()\n_dgm_bad = []\n"
        "if tuple(getattr(f, '__name__', type(f).__name__) for f in _dgm_ip.input_transformers_cleanup) != "
        + repr(DEFAULT_CLEANUP) + ":\n    _dgm_bad.append('input transformers')\n"
        "if _dgm_ip.input_transformers_post:\n    _dgm_bad.append('input transformers')\n"
        "if _dgm_ip.ast_transformers:\n    _dgm_bad.append('AST transformers')\n"
        "if _dgm_ip.custom_exceptions:\n    _dgm_bad.append('custom exception handler')\n"
        "if getattr(_dgm_s.excepthook, '__self__', None) is not _dgm_ip"
        " and _dgm_s.excepthook is not _dgm_s.__excepthook__:\n"
        "    _dgm_bad.append('sys.excepthook')\n"
        "if not _dgm_bad:\n    raise AssertionError({nonce!r})\nraise RuntimeError(', '.join(_dgm_bad))"),
    "assert statements do not fail any more": "assert 1 == 2, {nonce!r}",
    "numpy.testing was changed": (
        "import numpy.testing as _dgm_t\n"
        "try:\n    _dgm_t.assert_allclose(1.0, 2.0)\nexcept AssertionError:\n    raise AssertionError({nonce!r})\n"
        "raise RuntimeError('numpy.testing.assert_allclose(1.0, 2.0) passed')"),
    "the course's checks were changed": (
        "from dgmcourse.student import checks as _dgm_c\n"
        "try:\n    _dgm_c.check_close(1.0, 2.0, 'canary')\nexcept AssertionError:\n"
        "    raise AssertionError({nonce!r})\nraise RuntimeError('check_close(1.0, 2.0) passed')"),
    "builtins or comparisons were changed": (
        "import builtins as _dgm_b\n"
        "_dgm_ok = (_dgm_b.isinstance(1, _dgm_b.int) and not _dgm_b.isinstance(1, _dgm_b.str)\n"
        "           and _dgm_b.abs(-2) == 2 and not (_dgm_b.abs(-2) == 3) and _dgm_b.float('2.5') == 2.5\n"
        "           and _dgm_b.len([1, 2]) == 2 and _dgm_b.all([True, False]) is False\n"
        "           and _dgm_b.any([False]) is False and _dgm_b.sum([1, 2]) == 3 and _dgm_b.round(2.4) == 2\n"
        "           and _dgm_b.max(1, 3) == 3 and _dgm_b.min(1, 3) == 1 and _dgm_b.print is _dgm_b.__dict__['print'])\n"
        "if _dgm_ok:\n    raise AssertionError({nonce!r})\nraise RuntimeError('a builtin gives a wrong answer')"),
}


def integrity_snippet(nonce: str) -> str:
    """All canaries as one program, so that a test cell costs one extra round trip, not five.

    Each canary runs inside ``try``; one that does not raise ``AssertionError(nonce)``
    raises ``RuntimeError("<index>|<detail>")``. When all are intact the program ends
    with ``AssertionError(nonce)``. The program is the body of a function that deletes
    itself, so it leaves no name in the student's namespace.
    """
    blocks = []
    for index, template in enumerate(CANARIES.values()):
        body = "\n".join("    " + line for line in template.format(nonce=nonce).splitlines())
        blocks.append(
            f"try:\n{body}\nexcept AssertionError as _dgm_e:\n"
            f"    if str(_dgm_e) != {nonce!r}:\n        raise RuntimeError('{index}|' + repr(_dgm_e))\n"
            f"except Exception as _dgm_e:\n    raise RuntimeError('{index}|' + str(_dgm_e))\n"
            f"else:\n    raise RuntimeError('{index}|no error was raised')")
    program = "\n".join(blocks) + f"\nraise AssertionError({nonce!r})"
    body = "\n".join("    " + line for line in program.splitlines())
    return f"def _dgm_integrity():\n{body}\ntry:\n    _dgm_integrity()\nfinally:\n    del _dgm_integrity"


def tampering_problem(run: Callable[[str], dict], nonce: str) -> str | None:
    """The first canary that did not fail as expected, described, or None when all are intact."""
    reply = run(integrity_snippet(nonce))
    if reply.get("status") == "error" and reply.get("ename") == "AssertionError" and nonce in str(reply.get("evalue")):
        return None
    if reply.get("ename") == "CellTimeoutError":
        return "the kernel did not answer the integrity check in time"
    problems = list(CANARIES)
    index, _, detail = str(reply.get("evalue", "")).partition("|")
    if reply.get("ename") == "RuntimeError" and index.isdigit() and int(index) < len(problems):
        return f"tampering detected: {problems[int(index)]} ({detail})"
    # No error at all (or a foreign one): the program was not run as sent, so the input was rewritten.
    detail = f"{reply.get('ename')}: {reply.get('evalue')}" if reply.get("status") == "error" else "no error was raised"
    return f"tampering detected: {problems[0]} ({detail})"


def fingerprint_changes(baseline: dict, now: dict) -> list[str]:
    """What differs between two ``kernel_guard.fingerprint()`` answers, by label.

    Event callbacks that libraries register themselves (pyplot, ``%matplotlib inline``) are
    left out of the fingerprint by the kernel side; an event with no callbacks is the same
    as an event not listed.
    """
    changed = []
    for label in sorted(set(baseline) | set(now)):
        before, after = baseline.get(label), now.get(label)
        if label.startswith("events."):
            if (before or []) != (after or []):
                changed.append(f"IPython's {label[7:]} event callbacks")
        elif label.startswith("builtins.") and after is None:
            continue  # a builtin deleted is noticed by the canaries when it matters; IPython removes some
        elif label == "library":
            new = [name for name in (after or []) if name not in (before or [])]
            if new:
                changed.append("library functions the checks and tests use (" + ", ".join(new[:4]) + ")")
        elif before != after:
            changed.append(_describe(label))
    return changed


def _describe(label: str) -> str:
    if label.startswith("shell.") or label.startswith("InteractiveTB."):
        return f"IPython's {label.split('.', 1)[1]}"
    if label == "transformers":
        return "IPython's input or AST transformers"
    if label == "custom_exceptions":
        return "IPython's custom exception handlers (set_custom_exc)"
    if label == "sys.hooks":
        return "sys.excepthook, sys.displayhook or a trace function"
    return label
