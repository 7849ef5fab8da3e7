"""Assignment 04's Monte Carlo ELBO: the course's vectorised estimator against a per-sample Python loop.

The vectorised estimator is the master notebook's ``elbo_monte_carlo`` (one tensor of S
samples). The loop is the seed notebook's style: one ``torch.distributions`` object per
sample and a running Python sum. Both are timed for the value and its gradient with
respect to theta, from the same noise, and must agree before their times are compared.
"""
from __future__ import annotations

import math

from dgmcourse.instructor.bench.master_code import run_cells
from dgmcourse.instructor.bench.timing import BenchFailure, median, stopwatch
from dgmcourse.instructor.course import Course

ASSIGNMENT = "04_exponential_elbo"
CELLS = ["setup", "data", "log_joint", "mc_elbo__solution"]


def elbo_per_sample_loop(theta, x, lam, num_samples, generator=None):
    """The seed's way: for each sample, build the distributions and add its term to a Python sum."""
    import torch

    eps = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator)
    total = 0.0
    for e in eps:
        z = e / theta
        log_prior = torch.distributions.Exponential(lam).log_prob(z)
        log_likelihood = torch.distributions.Normal(z, 1.0).log_prob(x).sum()
        log_q = torch.distributions.Exponential(theta).log_prob(z)
        total = total + log_prior + log_likelihood - log_q
    return total / num_samples


def _value_and_gradient(elbo, x, lam, num_samples, seed):
    import torch

    theta = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    value = elbo(theta, x, lam, num_samples, generator=torch.Generator().manual_seed(seed))
    value.backward()
    return float(value.detach()), float(theta.grad)


def measure(course: Course, num_samples: int = 128, repeats: int = 200) -> dict:
    namespace = run_cells(course, ASSIGNMENT, CELLS)
    vectorised, x, lam = namespace["elbo_monte_carlo"], namespace["x_obs"], namespace["LAM"]
    for seed in range(3):
        fast = _value_and_gradient(vectorised, x, lam, num_samples, seed)
        slow = _value_and_gradient(elbo_per_sample_loop, x, lam, num_samples, seed)
        if not all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) for a, b in zip(fast, slow)):
            raise BenchFailure(f"the loop and the vectorised ELBO disagree on the same noise: {slow} vs {fast}")
    times = {}
    for name, elbo, n in (("vectorised", vectorised, repeats), ("loop", elbo_per_sample_loop, max(5, repeats // 20))):
        samples = []
        for seed in range(n):
            with stopwatch() as elapsed:
                _value_and_gradient(elbo, x, lam, num_samples, seed)
            samples.append(elapsed())
        times[name] = median(samples)
    return {"samples": num_samples, "vectorised_ms": round(times["vectorised"] * 1e3, 3),
            "loop_ms": round(times["loop"] * 1e3, 2), "ratio": round(times["loop"] / times["vectorised"], 1)}
