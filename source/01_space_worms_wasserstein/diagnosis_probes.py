"""Probe inputs for naming mistakes in assignment 01 (never in the student version: see misconceptions.py).

Each ``probe_<task>(ns)`` calls the task's function from the notebook's namespace ``ns`` on
inputs made here, and returns what came out; the grader compares the student's outcomes with
the reference's and with each catalogued mistake's (``probe_outputs.py``).
"""
import numpy as np
import torch

from dgmcourse.instructor.probe_outputs import Raised, calls

TASK_FUNCTIONS = {"w1_scipy": "wasserstein_distance_for_pdf", "w1_cdf": "compute_wasserstein_distance",
                  "optimize": "optimize_binomial_distribution", "kl": "discrete_kl_divergence"}
NOT_PROBED = {
    "landing": "its answer is the outcome of three training runs (landing_points), not one function",
    "kl_fit": "its answer is the outcome of a training run (p_kl), not one function",
}

PAIRS = [
    ([0.5, 0.0, 0.5], [0.0, 1.0, 0.0]),
    ([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]),
    ([0.7, 0.1, 0.0, 0.0, 0.2], [0.0, 0.2, 0.3, 0.1, 0.4]),
    ([1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]),
]


def _value_and_gradient(function, p, q, wrt="p"):
    """[value, gradient with respect to p (or q)]; an error in either is kept as an outcome."""
    p = torch.tensor(p, dtype=torch.float32, requires_grad=(wrt == "p"))
    q = torch.tensor(q, dtype=torch.float32, requires_grad=(wrt == "q"))
    try:
        value = function(p, q)
    except Exception as error:
        return [Raised(error)]
    try:
        gradient = torch.autograd.grad(value, p if wrt == "p" else q)[0]
    except Exception as error:
        gradient = Raised(error)
    return [value, gradient]


def probe_w1_scipy(ns):
    f = ns["wasserstein_distance_for_pdf"]
    cases = [(torch.tensor(p), torch.tensor(q)) for p, q in PAIRS]
    cases += [(np.array(PAIRS[1][0]), PAIRS[1][1])]
    return calls(f, cases)


def probe_w1_cdf(ns):
    f = ns["compute_wasserstein_distance"]
    return [_value_and_gradient(f, p, q) for p, q in PAIRS]


def _asymmetric_loss(data_pmf, model_pmf):
    """A loss that is not symmetric in its arguments (so their order shows), and no answer of this notebook."""
    return ((data_pmf + 0.1) * (data_pmf - model_pmf) ** 2).sum() - 0.5 * model_pmf[-1]


def _mean_count(data_pmf, model_pmf):
    """The model's mean count: it pulls p down, whatever the data."""
    return (model_pmf * torch.arange(len(model_pmf))).sum() + 0 * data_pmf.sum()


def probe_optimize(ns):
    fit = ns["optimize_binomial_distribution"]
    data = torch.tensor([0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05])
    high = torch.tensor([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0])  # pushes p up past 1 - EPS: the clamp must act
    low = torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    outcomes = []
    # starts outside [EPS, 1 - EPS] on both sides: each bound of the clamp must act before the first forward pass
    for start, target, loss in ((0.0001, data, _asymmetric_loss), (0.3, data, _asymmetric_loss),
                                (0.9, data, _asymmetric_loss), (0.995, high, _asymmetric_loss),
                                (1.5, low, _mean_count)):
        try:
            p, history = fit(loss, torch.tensor(start), target, lr=0.05, epochs=6)
            outcomes.append([p, dict(history)])
        except Exception as error:
            outcomes.append(Raised(error))
    return outcomes


def probe_kl(ns):
    f = ns["discrete_kl_divergence"]
    return [_value_and_gradient(f, p, q, wrt="q") for p, q in PAIRS[:3]] + [
        _value_and_gradient(f, [0.5, 0.5, 0.0], [0.25, 0.25, 0.5], wrt="q")]
