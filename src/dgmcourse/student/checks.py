"""Assertions that tell a student what was expected, not just that something failed.

Each ``check_*`` raises ``CheckFailed`` (an ``AssertionError``, so nbgrader scores the
test cell 0) with a message naming the thing checked, what it should be and what it
was. They return ``None`` on purpose: a test cell that ends in a number would be read
by nbgrader as partial credit.

Every check takes ``hint=``: the task's own advice, shown instead of the check's
generic one. The generic hint guesses the usual cause ("do not call .detach()"); the
test cell knows the task, and should name the step the student most likely missed
(``create_graph=True`` for a gradient penalty that carries no graph).
"""
from __future__ import annotations

import math
import textwrap
from typing import Any, Sequence

# Short enough that `nbgrader validate`, which cuts lines at 90 characters after a 4-space
# indent, shows every word of a message.
MESSAGE_WIDTH = 80


class CheckFailed(AssertionError):
    """A visible or hidden check did not pass; the message says why."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the message alone, wrapped.

        The frames of this module say nothing to a student, and the frames of a hidden
        test must not be shown at all; the message names what was checked, what was
        expected and what came.
        """
        lines = [f"{type(self).__name__}:"]
        for paragraph in str(self).splitlines() or [""]:
            lines.extend(textwrap.wrap(paragraph, MESSAGE_WIDTH - 2, initial_indent="  ", subsequent_indent="    ",
                                       break_on_hyphens=False) or [""])
        return lines


def describe(value: Any) -> str:
    """A short description of a value's type (and shape/dtype for arrays and tensors)."""
    kind = type(value)
    name = f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ not in ("builtins",) else kind.__qualname__
    name = name.replace("torch.Tensor", "torch.Tensor").replace("numpy.ndarray", "np.ndarray")
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"{name} of shape {tuple(shape)} and dtype {dtype}"
    return name


def _fail(what: str, message: str, hint: str | None = None) -> None:
    text = f"{what}: {message}"
    if hint:
        text += f"\nHint: {hint}"
    raise CheckFailed(text)


def check_python_float(value: Any, what: str, *, hint: str | None = None) -> None:
    """``value`` is a real Python number (``float``, or a NumPy float, which subclasses it)."""
    if isinstance(value, bool) or not isinstance(value, float):
        if hint is None and hasattr(value, "item"):
            hint = "convert a one-element array or tensor with float(x) (detach a tensor first)"
        _fail(what, f"expected a Python float, got {describe(value)}", hint)


def check_scalar_tensor(value: Any, what: str, *, requires_grad: bool | None = None,
                        hint: str | None = None) -> None:
    """``value`` is a 0-dimensional floating ``torch.Tensor``, optionally one that carries gradients.

    ``hint`` replaces the generic hint of whichever of these fails; a cell that wants the
    task's hint only for the gradient checks the tensor first without ``requires_grad``.
    """
    import torch

    if not isinstance(value, torch.Tensor):
        _fail(what, f"expected a 0-dimensional torch.Tensor, got {describe(value)}",
              hint or "build the result from torch operations so that it stays a tensor")
    if value.dim() != 0:
        _fail(what, f"expected a 0-dimensional tensor (a scalar), got shape {tuple(value.shape)}",
              hint or "reduce with .sum() or .mean() as the formula says")
    if not value.is_floating_point():
        _fail(what, f"expected a floating-point tensor, got dtype {value.dtype}", hint)
    if requires_grad and not value.requires_grad:
        _fail(what, "the result does not carry gradients (requires_grad is False)",
              hint or "do not convert to NumPy/Python numbers or call .detach() inside the computation")


def check_shape(value: Any, shape: Sequence[int], what: str, *, hint: str | None = None) -> None:
    """``value`` has exactly this shape."""
    actual = getattr(value, "shape", None)
    if actual is None:
        _fail(what, f"expected an array or tensor of shape {tuple(shape)}, got {describe(value)}", hint)
    if tuple(actual) != tuple(shape):
        _fail(what, f"expected shape {tuple(shape)}, got {tuple(actual)}", hint)


def _as_float(value: Any, what: str, hint: str | None = None) -> float:
    try:
        if hasattr(value, "detach"):
            value = value.detach()
        if hasattr(value, "item"):
            return float(value.item())
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        _fail(what, f"expected a single number, got {describe(value)}", hint)
    raise AssertionError("unreachable")


def check_close(actual: Any, expected: float, what: str, *, atol: float = 1e-6, rtol: float = 1e-6,
                hint: str | None = None) -> None:
    """A single number is within ``atol + rtol*|expected|`` of ``expected``."""
    got = _as_float(actual, what, hint)
    if not math.isfinite(got):
        _fail(what, f"expected {expected:.6g}, got {got}", hint)
    tolerance = atol + rtol * abs(expected)
    if abs(got - expected) > tolerance:
        _fail(what, f"expected {expected:.6g}, got {got:.6g} (allowed difference {tolerance:.2g})", hint)


def check_allclose(actual: Any, expected: Any, what: str, *, atol: float = 1e-6, rtol: float = 1e-6,
                   hint: str | None = None) -> None:
    """Arrays or tensors of the same shape agree elementwise within tolerance."""
    import numpy as np

    def to_numpy(x):
        if hasattr(x, "detach"):
            x = x.detach().cpu().numpy()
        return np.asarray(x, dtype=float)

    got, want = to_numpy(actual), to_numpy(expected)
    if got.shape != want.shape:
        _fail(what, f"expected shape {want.shape}, got {got.shape}", hint)
    bad = ~np.isclose(got, want, atol=atol, rtol=rtol)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        _fail(what, f"{int(bad.sum())} of {bad.size} values differ; first at index {index}: "
                    f"expected {want[index]:.6g}, got {got[index]:.6g}", hint)


def check_true(condition: bool, what: str, message: str, hint: str | None = None) -> None:
    """A named condition holds; ``message`` says what was expected."""
    if not condition:
        _fail(what, message, hint)


def check_step_clears_stale_gradients(make_models, run_step, what: str, *, seed: int = 77,
                                      hint: str | None = None) -> None:
    """A training step clears the gradients it uses before it computes them.

    PyTorch adds each backward pass to ``.grad``. A step that forgets ``zero_grad()`` passes
    every test that starts from fresh models, because their ``.grad`` is empty; this check
    starts the same step twice from identical models, once with junk left in every ``.grad``,
    and requires both to end with the same parameters.

    ``make_models()`` returns a list of fresh ``nn.Module`` s (built under a seed set here, so
    both calls give identical models); ``run_step(models)`` builds its optimisers and takes
    one step with them.
    """
    import torch

    torch.manual_seed(seed)
    clean = list(make_models())
    torch.manual_seed(seed)
    stale = list(make_models())
    for model in stale:
        for parameter in model.parameters():
            parameter.grad = torch.full_like(parameter, 10.0)
    for models in (clean, stale):
        torch.manual_seed(seed + 1)
        run_step(models)
    differ = [f"{type(a).__name__} parameter {i}" for a, b in zip(clean, stale)
              for i, (pa, pb) in enumerate(zip(a.parameters(), b.parameters()))
              if not torch.allclose(pa, pb, atol=1e-6, rtol=1e-5)]
    if differ:
        _fail(what, "started with gradients left over in .grad, the step ended elsewhere than the same step "
                    f"without them ({differ[0]} differs): the old gradients were added to the new ones",
              hint or "call optimizer.zero_grad() before each backward(): PyTorch adds new gradients to .grad")
