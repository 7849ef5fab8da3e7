"""The student-side helpers: seeding, device choice, run size and check messages."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from dgmcourse import cpu_threads_for, grading_seed, pick_device, run_size, seed_everything
from dgmcourse.student import checks


def test_seed_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DGMCOURSE_SEED", "7")
    assert grading_seed() == 7
    assert seed_everything() == 7
    first = (torch.rand(3), np.random.rand(3))
    seed_everything()
    second = (torch.rand(3), np.random.rand(3))
    assert torch.equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    seed_everything(8)
    assert not torch.equal(first[0], torch.rand(3)), "a different seed gives different numbers"


def test_bad_seed_is_explained(monkeypatch):
    monkeypatch.setenv("DGMCOURSE_SEED", "zero")
    with pytest.raises(ValueError, match="DGMCOURSE_SEED must be an integer"):
        grading_seed()


def test_device_and_size(monkeypatch):
    monkeypatch.delenv("DGMCOURSE_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert pick_device().type == expected
    monkeypatch.setenv("DGMCOURSE_DEVICE", "cpu")
    assert pick_device().type == "cpu"
    monkeypatch.delenv("DGMCOURSE_SIZE", raising=False)
    assert run_size() == "full"
    monkeypatch.setenv("DGMCOURSE_SIZE", "grading")
    assert run_size() == "grading"
    monkeypatch.setenv("DGMCOURSE_SIZE", "huge")
    with pytest.raises(ValueError, match="grading"):
        run_size()


def test_messages_say_what_was_expected():
    with pytest.raises(AssertionError, match=r"expected a Python float, got torch.Tensor of shape \(\)"):
        checks.check_python_float(torch.tensor(1.0), "w")
    with pytest.raises(AssertionError, match=r"expected shape \(2, 3\), got \(3, 2\)"):
        checks.check_shape(torch.zeros(3, 2), (2, 3), "x")
    with pytest.raises(AssertionError, match=r"(?s)expected 1.83333, got 0.183333.*Hint: unit spacing"):
        checks.check_close(0.18333333, 11 / 6, "W1", hint="unit spacing")
    with pytest.raises(AssertionError, match="does not carry gradients"):
        checks.check_scalar_tensor(torch.tensor(1.0), "W1", requires_grad=True)
    with pytest.raises(AssertionError, match="1 of 3 values differ; first at index \\(1,\\)"):
        checks.check_allclose([1.0, 2.5, 3.0], [1.0, 2.0, 3.0], "pmf")
    assert checks.check_close(1.0 + 1e-9, 1.0, "ok") is None


def test_a_task_hint_replaces_the_generic_one():
    """The test cell knows the task: its hint is shown, not the check's guess at a cause."""
    with pytest.raises(AssertionError) as caught:
        checks.check_scalar_tensor(torch.tensor(1.0), "penalty", requires_grad=True,
                                   hint="torch.autograd.grad(..., create_graph=True)")
    assert "create_graph=True" in str(caught.value) and ".detach()" not in str(caught.value)
    with pytest.raises(AssertionError, match=r"Hint: do not .* call \.detach\(\)"):
        checks.check_scalar_tensor(torch.tensor(1.0), "penalty", requires_grad=True)
    for call in (lambda: checks.check_python_float(torch.tensor(1.0), "w", hint="return float(...)"),
                 lambda: checks.check_shape(torch.zeros(3), (2,), "x", hint="return float(...)"),
                 lambda: checks.check_scalar_tensor([1.0], "x", hint="return float(...)"),
                 lambda: checks.check_close("one", 1.0, "x", hint="return float(...)")):
        with pytest.raises(AssertionError, match=r"Hint: return float\(\.\.\.\)"):
            call()


def test_small_models_use_one_cpu_thread():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        assert cpu_threads_for("cuda", parameters=1000) == 2, "a GPU run leaves torch's CPU threads alone"
        assert cpu_threads_for(torch.device("cpu"), parameters=10**8) == 2, "a large model keeps its threads"
        assert cpu_threads_for(torch.device("cpu"), parameters=500_000) == 1
        torch.set_num_threads(2)
        assert cpu_threads_for() == 1, "no device means the CPU, no size a small computation"
    finally:
        torch.set_num_threads(before)


def test_a_step_that_forgets_zero_grad_is_caught():
    def make():
        return [torch.nn.Linear(3, 1)]

    x = torch.randn(8, 3)

    def good(models):
        opt = torch.optim.SGD(models[0].parameters(), lr=0.1)
        opt.zero_grad()
        models[0](x).pow(2).mean().backward()
        opt.step()

    def forgets(models):
        opt = torch.optim.SGD(models[0].parameters(), lr=0.1)
        models[0](x).pow(2).mean().backward()
        opt.step()

    assert checks.check_step_clears_stale_gradients(make, good, "step") is None
    with pytest.raises(AssertionError, match=r"(?s)old gradients were added.*Hint: call optimizer.zero_grad"):
        checks.check_step_clears_stale_gradients(make, forgets, "step")
