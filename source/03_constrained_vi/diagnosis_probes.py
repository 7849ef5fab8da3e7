"""Probe inputs for naming mistakes in assignment 03 (never in the student version: see misconceptions.py).

Each ``probe_<task>(ns)`` calls the task's function from the notebook's namespace ``ns`` on
inputs made here, and returns what came out; the grader compares the student's outcomes with
the reference's and with each catalogued mistake's (``probe_outputs.py``). Functions that draw
random numbers are called right after ``torch.manual_seed``, inside ``torch.random.fork_rng`` so
that the kernel's own generator is left as it was.
"""
import torch
import torch.distributions as dist

from dgmcourse.instructor.probe_outputs import Raised, calls

TASK_FUNCTIONS = {"lp_transformed": "lp_transformed", "kl_quadrature": "kl_quadrature",
                  "kl_monte_carlo": "kl_monte_carlo", "coin_elbo": "coin_elbo",
                  "coin_log_evidence": "coin_log_evidence", "elbo_adam": "fit_elbo_adam"}
NOT_PROBED = {}

FLIPS = [
    [0.0, 1.0, 1.0, 0.0, 0.0],                      # 2 heads, 3 tails
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0],       # 6 heads, 2 tails
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],       # 1 head, 7 tails
]


def _seeded_calls(function, seeded_arguments):
    """``function(*arguments)`` right after ``torch.manual_seed(seed)`` for each (seed, arguments); errors kept."""
    outcomes = []
    with torch.random.fork_rng():
        for seed, arguments in seeded_arguments:
            torch.manual_seed(seed)
            outcomes.extend(calls(function, [arguments]))
    return outcomes


def probe_lp_transformed(ns):
    f = ns["lp_transformed"]
    gamma, beta, uniform = dist.Gamma(2.5, 1.5), dist.Beta(2.0, 3.0), dist.Uniform(1.0, 4.0)
    lognormal, gamma2 = dist.LogNormal(0.3, 0.7), dist.Gamma(3.0, 2.0)
    half_then_exp = dist.transforms.ComposeTransform([dist.transforms.AffineTransform(0.0, 0.5),
                                                      dist.transforms.ExpTransform()])
    return calls(f, [
        (torch.linspace(-4.0, 2.5, 14), gamma, dist.transform_to(gamma.support)),
        (torch.linspace(-5.0, 4.0, 10), beta, dist.transform_to(beta.support)),
        (torch.linspace(-6.0, 6.0, 9), uniform, dist.transform_to(uniform.support)),
        (torch.linspace(-2.0, 2.5, 6).reshape(2, 3), lognormal, dist.transform_to(lognormal.support)),
        (torch.linspace(-6.0, 4.0, 11), gamma2, half_then_exp),
    ])


def probe_kl_quadrature(ns):
    f = ns["kl_quadrature"]
    mus, sigmas = torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.5, 1.0, 3.0])
    batch_grid = mus + sigmas * torch.linspace(-9.0, 9.0, 1201).unsqueeze(1)       # (1201, 3)
    return calls(f, [
        (dist.Normal(0.5, 1.0), dist.Normal(-1.0, 1.5), torch.linspace(-10.0, 10.0, 2001)),
        (dist.Normal(-1.0, 1.5), dist.Normal(0.5, 1.0), torch.linspace(-10.0, 10.0, 2001)),
        # p is zero on most of the grid: log p = -inf there
        (dist.Uniform(0.0, 1.0, validate_args=False), dist.Normal(0.3, 0.8), torch.linspace(-1.0, 2.0, 3001)),
        # p underflows to 0 on most of the grid while log p stays finite
        (dist.Normal(0.2, 0.04), dist.Normal(0.0, 1.0), torch.linspace(-8.0, 8.0, 8001)),
        # a batch of three p's on a (n, 3) grid: integrate along dim 0
        (dist.Normal(mus, sigmas), dist.Normal(0.5, 1.2), batch_grid),
    ])


def probe_kl_monte_carlo(ns):
    f = ns["kl_monte_carlo"]
    p, q = dist.Normal(0.5, 1.2), dist.Normal(-0.3, 0.8)
    return _seeded_calls(f, [
        (1, (p, q, 500)),
        (2, (p, q, 500)),
        (3, (q, p, 300)),
        # q's density underflows to 0 at many samples of the wide p
        (4, (dist.Normal(0.0, 20.0), dist.Normal(0.0, 1.0), 2000)),
    ])


def probe_coin_elbo(ns):
    f = ns["coin_elbo"]
    a, b, c = (torch.tensor(flips) for flips in FLIPS)
    return calls(f, [
        (-0.4, 0.9, a),
        (1.0, 0.5, b),
        (-1.2, 1.3, c),
        (0.3, 0.7, b, 301),
        (torch.tensor([[-1.0, 0.5], [0.2, 1.0]]), torch.tensor([[0.5, 1.0], [1.5, 0.3]]), b),
        (torch.tensor([0.4]), torch.tensor([0.6]), a),
    ])


def probe_coin_log_evidence(ns):
    f = ns["coin_log_evidence"]
    a, b, c = (torch.tensor(flips) for flips in FLIPS)
    return calls(f, [
        (a,),
        (b,),
        (c,),
        # ranges that cut the posterior short, on fine grids
        (a, -1.0, 2.0, 30001),
        (b, -0.5, 1.0, 15001),
        {"flips": c, "lower": -4.0, "upper": -1.0, "n_points": 30001},
    ])


def probe_elbo_adam(ns):
    fit = ns["fit_elbo_adam"]
    outcomes = []
    with torch.random.fork_rng():
        for seed, flips, steps, samples, lr in ((11, FLIPS[0], 6, 16, 0.1), (12, FLIPS[1], 5, 32, 0.2),
                                                (13, FLIPS[2], 4, 8, 0.05)):
            torch.manual_seed(seed)
            try:
                mu, sigma, history = fit(torch.tensor(flips), n_steps=steps, n_samples=samples, lr=lr)
                outcomes.append([mu, sigma, list(history)])
            except Exception as error:
                outcomes.append(Raised(error))
    return outcomes
