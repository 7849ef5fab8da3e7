"""Probe inputs for naming mistakes in assignment 04 (never in the student version: see misconceptions.py).

Each ``probe_<task>(ns)`` calls the task's function from the notebook's namespace ``ns`` on
inputs made here, and returns what came out; the grader compares the student's outcomes with
the reference's and with each catalogued mistake's (``probe_outputs.py``).

The Monte Carlo functions draw random numbers: every call gets a generator seeded here, and the
global generator is seeded right before it too. In ``probe_mc_elbo`` the two seeds differ, so that
samples drawn without the generator (``.sample()``, ``.rsample()``) are told apart from those drawn
with it; in ``probe_score`` they are equal.
"""
import math

import torch

from dgmcourse.instructor.probe_outputs import Raised, calls

TASK_FUNCTIONS = {"elbo": "elbo_closed_form", "theta_star": "optimal_theta",
                  "posterior": "log_evidence_quadrature / log_posterior_on_grid",
                  "kl": "kl_to_posterior_numerical", "mc_elbo": "elbo_monte_carlo", "fit": "fit_theta",
                  "score": "score_function_gradient"}
NOT_PROBED = {
    "grid": "its answer is a top-level tensor (z_grid), not a function; its tests judge the KL curve computed on it",
}

F64 = torch.float64
DATA = [
    (torch.tensor([2.1, 3.4, 2.7], dtype=F64), 1.5),
    (torch.tensor([0.3, -0.8, 1.1, 0.4, -0.2], dtype=F64), 0.7),
    (torch.tensor([4.0, 5.5], dtype=F64), 2.0),
]


def _value_and_gradient(function, theta_value, *arguments, seed=None, **keywords):
    """[value, d value / d theta] at a float64 theta that requires gradients; errors kept as outcomes."""
    theta = torch.tensor(theta_value, dtype=F64, requires_grad=True)
    try:
        if seed is not None:
            torch.manual_seed(seed)
        value = function(theta, *arguments, **keywords)
    except Exception as error:
        return [Raised(error)]
    try:
        gradient = torch.autograd.grad(value, theta)[0]
    except Exception as error:
        gradient = Raised(error)
    return [value, gradient]


def probe_elbo(ns):
    f = ns["elbo_closed_form"]
    return [_value_and_gradient(f, t, x, lam) for (x, lam), t in zip(DATA, (0.4, 1.7, 3.0))]


def probe_theta_star(ns):
    f = ns["optimal_theta"]
    return calls(f, DATA + [(torch.tensor([0.2, 0.5, -0.1, 0.3], dtype=F64), 6.0)])   # the last: B < 0


def probe_posterior(ns):
    evidence, posterior = ns["log_evidence_quadrature"], ns["log_posterior_on_grid"]
    u = torch.linspace(0.0, 1.0, 301, dtype=F64)
    spread = torch.linspace(-3.0, 7.0, 200, dtype=F64)   # log joint below -745 everywhere: exp underflows
    cases = [(8.0 * u ** 2, DATA[0][0], DATA[0][1]),                            # uneven grid from 0
             (torch.linspace(0.5, 6.0, 221, dtype=F64), DATA[2][0], DATA[2][1]),  # even grid not starting at 0
             (torch.linspace(0.0, 5.0, 251, dtype=F64), spread, 0.5)]
    return calls(evidence, cases) + calls(posterior, cases)


def probe_kl(ns):
    f = ns["kl_to_posterior_numerical"]
    u = torch.linspace(0.0, 1.0, 401, dtype=F64)
    uneven = 40.0 * u ** 2
    even = torch.linspace(0.0, 30.0, 601, dtype=F64)
    bump = -2.0 * (uneven - 2.0) ** 2 + 0.5 * math.log(4.0 / math.pi)   # a normal bump around z = 2
    return calls(f, [(0.7, uneven, math.log(1.3) - 1.3 * uneven),
                     (torch.tensor(1.8, dtype=F64), uneven, bump),
                     (2.5, even, math.log(0.6) - 0.6 * even)])


def probe_mc_elbo(ns):
    f = ns["elbo_monte_carlo"]
    outcomes = []
    for k, ((x, lam), t) in enumerate(zip(DATA, (0.6, 1.7, 0.9))):
        generator = torch.Generator().manual_seed(11 + k)
        outcomes.append(_value_and_gradient(f, t, x, lam, 6, seed=1000 + k, generator=generator))
    return outcomes


def _exact_elbo(theta, x, lam, num_samples, generator=None):
    """The closed-form ELBO without its constant, in the elbo_fn interface: noise-free, so fits are deterministic."""
    return (x.sum() - lam) / theta - x.numel() / theta ** 2 - torch.log(theta)


def probe_fit(ns):
    fit = ns["fit_theta"]
    outcomes = []
    for (x, lam), start, steps, lr in ((DATA[0], 1.0, 6, 0.1), (DATA[2], 0.3, 4, 0.2)):
        try:
            outcomes.append(fit(_exact_elbo, x, lam, theta_init=start, num_steps=steps, num_samples=3, lr=lr,
                                generator=None))
        except Exception as error:
            outcomes.append(Raised(error))
    return outcomes


def probe_score(ns):
    f = ns["score_function_gradient"]
    outcomes = []
    for k, ((x, lam), t, requires_grad) in enumerate(zip(DATA, (0.6, 1.7, 0.9), (False, True, False))):
        theta = torch.tensor(t, dtype=F64, requires_grad=requires_grad)
        generator = torch.Generator().manual_seed(21 + k)
        torch.manual_seed(21 + k)
        try:
            outcomes.append(f(theta, x, lam, 5, generator=generator))
        except Exception as error:
            outcomes.append(Raised(error))
    return outcomes
