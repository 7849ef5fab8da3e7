# The reference solution, with every name the test cells use bound by the student as a module-level
# import alias and checked inside every graded function: tests must leave the student's names alone.
# Written by tests/make_alias_variants.py from the master; run it again when the tests' names change.
# kind: namespace
# replaces: elbo__solution theta_star__solution posterior__solution kl__solution grid__solution mc_elbo__solution fit__solution score__solution
# %% elbo__solution
import math as _S
import torch as _a
import numpy as _adam_step
from torch import nn as _b
from torch import distributions as _b2
import math as _b_obs
import torch as _bad
import numpy as _bb
from torch import nn as _brentq
from torch import distributions as _c
import math as _cases
import torch as _course_data
import numpy as _d2L
from torch import nn as _dL
from torch import distributions as _datasets
import math as _elbo
import torch as _elbo_by_quadrature
import numpy as _est
from torch import nn as _estimates
from torch import distributions as _exact
import math as _exact_elbo
import torch as _exact_kl
import numpy as _expected
from torch import nn as _found
from torch import distributions as _g
import math as _grid_name
import torch as _history
import numpy as _k
from torch import nn as _kl
from torch import distributions as _kl_on_grid
import math as _kl_self
import torch as _kl_star_exact
import numpy as _lam
from torch import nn as _lj
from torch import distributions as _log_ev
import math as _log_ev800
import torch as _log_evidence_exact
import numpy as _log_joint_np
from torch import nn as _log_ndtr
from torch import distributions as _log_post
import math as _log_post800
import torch as _log_q
import math as _m
from torch import nn as _minimize_scalar
import numpy as _n
import math as _n_obs
import torch as _per_sample_f
import numpy as _per_sample_grad
from torch import nn as _per_sample_score_term
from torch import distributions as _quad
import math as _rates
import torch as _reference_mc_elbo
import numpy as _requires_grad
from torch import nn as _rng
from torch import distributions as _scale
import math as _se
import torch as _slope
import numpy as _spy_step
import torch as _t
from torch import distributions as _t_star
import math as _tail
import torch as _theta
import numpy as _theta_hat
from torch import nn as _theta_star
from torch import distributions as _tol
import math as _u
import torch as _v
import numpy as _what
from torch import nn as _x
from torch import distributions as _x1
import math as _x2
import torch as _x800
import numpy as _x_np
from torch import nn as _z
from torch import distributions as _z800
import math as _z_np
import torch as _z_tail
import numpy as _zg
from torch import nn as a
from torch import distributions as args
import math as b
import torch as dlogp_dz
import numpy as eps
from torch import nn as g
from torch import distributions as generator
import math as integrand
import torch as kwargs
import numpy as lam
from torch import nn as log_p
from torch import distributions as log_q
import math as n
import torch as num_samples
import numpy as pieces
from torch import nn as self
from torch import distributions as size
import math as theta
import torch as x
import numpy as z
from torch import nn as z_np
_ALIASED = {'_S': _S, '_a': _a, '_adam_step': _adam_step, '_b': _b, '_b2': _b2, '_b_obs': _b_obs, '_bad': _bad, '_bb': _bb, '_brentq': _brentq, '_c': _c, '_cases': _cases, '_course_data': _course_data, '_d2L': _d2L, '_dL': _dL, '_datasets': _datasets, '_elbo': _elbo, '_elbo_by_quadrature': _elbo_by_quadrature, '_est': _est, '_estimates': _estimates, '_exact': _exact, '_exact_elbo': _exact_elbo, '_exact_kl': _exact_kl, '_expected': _expected, '_found': _found, '_g': _g, '_grid_name': _grid_name, '_history': _history, '_k': _k, '_kl': _kl, '_kl_on_grid': _kl_on_grid, '_kl_self': _kl_self, '_kl_star_exact': _kl_star_exact, '_lam': _lam, '_lj': _lj, '_log_ev': _log_ev, '_log_ev800': _log_ev800, '_log_evidence_exact': _log_evidence_exact, '_log_joint_np': _log_joint_np, '_log_ndtr': _log_ndtr, '_log_post': _log_post, '_log_post800': _log_post800, '_log_q': _log_q, '_m': _m, '_minimize_scalar': _minimize_scalar, '_n': _n, '_n_obs': _n_obs, '_per_sample_f': _per_sample_f, '_per_sample_grad': _per_sample_grad, '_per_sample_score_term': _per_sample_score_term, '_quad': _quad, '_rates': _rates, '_reference_mc_elbo': _reference_mc_elbo, '_requires_grad': _requires_grad, '_rng': _rng, '_scale': _scale, '_se': _se, '_slope': _slope, '_spy_step': _spy_step, '_t': _t, '_t_star': _t_star, '_tail': _tail, '_theta': _theta, '_theta_hat': _theta_hat, '_theta_star': _theta_star, '_tol': _tol, '_u': _u, '_v': _v, '_what': _what, '_x': _x, '_x1': _x1, '_x2': _x2, '_x800': _x800, '_x_np': _x_np, '_z': _z, '_z800': _z800, '_z_np': _z_np, '_z_tail': _z_tail, '_zg': _zg, 'a': a, 'args': args, 'b': b, 'dlogp_dz': dlogp_dz, 'eps': eps, 'g': g, 'generator': generator, 'integrand': integrand, 'kwargs': kwargs, 'lam': lam, 'log_p': log_p, 'log_q': log_q, 'n': n, 'num_samples': num_samples, 'pieces': pieces, 'self': self, 'size': size, 'theta': theta, 'x': x, 'z': z, 'z_np': z_np}


def _aliases_intact():
    rebound = [name for name, now in (('_S', _S), ('_a', _a), ('_adam_step', _adam_step), ('_b', _b), ('_b2', _b2), ('_b_obs', _b_obs), ('_bad', _bad), ('_bb', _bb), ('_brentq', _brentq), ('_c', _c), ('_cases', _cases), ('_course_data', _course_data), ('_d2L', _d2L), ('_dL', _dL), ('_datasets', _datasets), ('_elbo', _elbo), ('_elbo_by_quadrature', _elbo_by_quadrature), ('_est', _est), ('_estimates', _estimates), ('_exact', _exact), ('_exact_elbo', _exact_elbo), ('_exact_kl', _exact_kl), ('_expected', _expected), ('_found', _found), ('_g', _g), ('_grid_name', _grid_name), ('_history', _history), ('_k', _k), ('_kl', _kl), ('_kl_on_grid', _kl_on_grid), ('_kl_self', _kl_self), ('_kl_star_exact', _kl_star_exact), ('_lam', _lam), ('_lj', _lj), ('_log_ev', _log_ev), ('_log_ev800', _log_ev800), ('_log_evidence_exact', _log_evidence_exact), ('_log_joint_np', _log_joint_np), ('_log_ndtr', _log_ndtr), ('_log_post', _log_post), ('_log_post800', _log_post800), ('_log_q', _log_q), ('_m', _m), ('_minimize_scalar', _minimize_scalar), ('_n', _n), ('_n_obs', _n_obs), ('_per_sample_f', _per_sample_f), ('_per_sample_grad', _per_sample_grad), ('_per_sample_score_term', _per_sample_score_term), ('_quad', _quad), ('_rates', _rates), ('_reference_mc_elbo', _reference_mc_elbo), ('_requires_grad', _requires_grad), ('_rng', _rng), ('_scale', _scale), ('_se', _se), ('_slope', _slope), ('_spy_step', _spy_step), ('_t', _t), ('_t_star', _t_star), ('_tail', _tail), ('_theta', _theta), ('_theta_hat', _theta_hat), ('_theta_star', _theta_star), ('_tol', _tol), ('_u', _u), ('_v', _v), ('_what', _what), ('_x', _x), ('_x1', _x1), ('_x2', _x2), ('_x800', _x800), ('_x_np', _x_np), ('_z', _z), ('_z800', _z800), ('_z_np', _z_np), ('_z_tail', _z_tail), ('_zg', _zg), ('a', a), ('args', args), ('b', b), ('dlogp_dz', dlogp_dz), ('eps', eps), ('g', g), ('generator', generator), ('integrand', integrand), ('kwargs', kwargs), ('lam', lam), ('log_p', log_p), ('log_q', log_q), ('n', n), ('num_samples', num_samples), ('pieces', pieces), ('self', self), ('size', size), ('theta', theta), ('x', x), ('z', z), ('z_np', z_np)) if now is not _ALIASED[name]]
    assert not rebound, f"a test cell rebound the student's names {rebound}"


def elbo_closed_form(theta, x, lam):
    """Exact ELBO of q = Exp(theta) for the model z ~ Exp(lam), x_i | z ~ N(z, 1).

    Args:
        theta: 0-dim tensor, the rate of q (> 0); may require gradients.
        x: 1-D tensor of N observations.
        lam: rate of the exponential prior (Python float).

    Returns:
        0-dim tensor B / theta - N / theta**2 - log(theta) + C, with B = sum(x) - lam and
        C = -sum(x**2) / 2 - (N / 2) log(2 pi) + log(lam) + 1; it keeps the autograd graph.
    """
    _aliases_intact()
    n = x.numel()
    b = x.sum() - lam
    c = -0.5 * (x ** 2).sum() - 0.5 * n * math.log(2 * math.pi) + math.log(lam) + 1.0
    return b / theta - n / theta ** 2 - torch.log(theta) + c

# %% theta_star__solution
def optimal_theta(x, lam):
    """The maximiser of the closed-form ELBO over the rate theta > 0 of q = Exp(theta).

    Args:
        x: 1-D tensor of N observations.
        lam: rate of the exponential prior (Python float).

    Returns:
        theta* = (-B + sqrt(B**2 + 8 N)) / 2 with B = sum(x) - lam, as a Python float.
    """
    _aliases_intact()
    n = x.numel()
    b = float(x.sum()) - lam
    return float((-b + math.sqrt(b * b + 8 * n)) / 2)

# %% posterior__solution
def log_evidence_quadrature(z_grid, x, lam):
    """log p(x) = log of the integral of p(x, z) over the grid (trapezoid rule), computed in log space.

    Args:
        z_grid: 1-D increasing float64 tensor of K grid points (spacing may vary).
        x: 1-D tensor of N observations.
        lam: rate of the exponential prior.

    Returns:
        0-dim tensor: m + log(trapezoid(exp(log_joint - m), z_grid)) with m the maximum of the log joint on the grid.
    """
    _aliases_intact()
    log_p = log_joint(z_grid, x, lam)
    m = log_p.max()
    return m + torch.log(torch.trapezoid(torch.exp(log_p - m), z_grid))


def log_posterior_on_grid(z_grid, x, lam):
    """Normalised log posterior density log p(z | x) at every grid point.

    Args:
        z_grid: 1-D increasing float64 tensor of K grid points (spacing may vary).
        x: 1-D tensor of N observations.
        lam: rate of the exponential prior.

    Returns:
        tensor of shape (K,): log_joint(z_grid, x, lam) - log p(x); finite everywhere.
    """
    _aliases_intact()
    return log_joint(z_grid, x, lam) - log_evidence_quadrature(z_grid, x, lam)

# %% kl__solution
def kl_to_posterior_numerical(theta, z_grid, log_posterior):
    """KL(Exp(theta) || posterior) by the trapezoid rule on a grid.

    Args:
        theta: rate of q = Exp(theta), a positive Python float or 0-dim tensor.
        z_grid: 1-D increasing float64 tensor of K grid points (spacing may vary).
        log_posterior: tensor of shape (K,), the normalised log posterior density at the grid points.

    Returns:
        0-dim tensor: trapezoid(q(z) * (log q(z) - log_posterior), z_grid) with log q(z) = log(theta) - theta z.
    """
    _aliases_intact()
    theta = torch.as_tensor(theta, dtype=z_grid.dtype)
    log_q = torch.log(theta) - theta * z_grid
    return torch.trapezoid(torch.exp(log_q) * (log_q - log_posterior), z_grid)

# %% grid__solution
# Define z_grid: a 1-D float64 tensor from 0 to an end point of your choice, with a spacing of your choice.
# q's tail at theta = 0.3: e^{-0.3 * 60} * (N / 2) * 60^2 ~ 1e-4 per unit z and falling fast; spacing 0.005 << 0.45
z_grid = torch.linspace(0.0, 60.0, 12001, dtype=torch.float64)
print(f"z_grid: {z_grid.numel()} points from {z_grid[0].item()} to {z_grid[-1].item()}")

# %% mc_elbo__solution
def elbo_monte_carlo(theta, x, lam, num_samples, generator=None):
    """Reparameterised Monte Carlo estimate of the ELBO of q = Exp(theta).

    Args:
        theta: 0-dim float64 tensor, the rate of q (> 0), usually with requires_grad=True.
        x: 1-D tensor of N observations.
        lam: rate of the exponential prior.
        num_samples: number S of samples z_s.
        generator: torch.Generator for the noise, or None for the global one.

    Returns:
        0-dim tensor mean_s [log p(x, z_s) - log q(z_s)] with z_s = eps_s / theta, eps_s ~ Exp(1);
        differentiable with respect to theta through the samples.
    """
    _aliases_intact()
    eps = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator)
    z = eps / theta
    log_q = torch.log(theta) - theta * z
    return (log_joint(z, x, lam) - log_q).mean()

# %% fit__solution
def fit_theta(elbo_fn, x, lam, theta_init=1.0, num_steps=300, num_samples=512, lr=0.1, generator=None):
    """Maximise an ELBO estimate over the rate theta of q = Exp(theta) with Adam on rho = log(theta).

    Args:
        elbo_fn: function (theta, x, lam, num_samples, generator=...) -> 0-dim differentiable tensor.
        x: 1-D tensor of N observations.
        lam: rate of the exponential prior.
        theta_init: starting value of theta (> 0).
        num_steps: number of optimiser steps.
        num_samples: Monte Carlo samples per step, passed to elbo_fn.
        lr: initial learning rate of Adam, decayed to 0 with CosineAnnealingLR(optimizer, num_steps).
        generator: torch.Generator passed to elbo_fn.

    Returns:
        (theta_hat, history): theta_hat is the mean of theta over the last num_steps // 2 steps (Python float);
        history is a list of num_steps Python floats, theta after each step.
    """
    # rho = log(theta) is the unconstrained number that Adam updates; theta = exp(rho) is always positive.
    # Every step: zero the gradients, loss = -elbo_fn(theta, x, lam, num_samples, generator=generator),
    # backward, optimizer.step(), scheduler.step(), then record theta as a Python float.
    _aliases_intact()
    rho = torch.tensor(math.log(theta_init), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([rho], lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, num_steps)
    history = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = -elbo_fn(torch.exp(rho), x, lam, num_samples, generator=generator)
        loss.backward()
        optimizer.step()
        scheduler.step()
        history.append(math.exp(rho.item()))
    last_half = history[num_steps - num_steps // 2:]
    theta_hat = float(sum(last_half) / len(last_half))
    return theta_hat, history

# %% score__solution
def score_function_gradient(theta, x, lam, num_samples, generator=None):
    """Score-function (REINFORCE) estimate of dELBO/dtheta for q = Exp(theta).

    Args:
        theta: 0-dim float64 tensor, the rate of q (> 0).
        x: 1-D tensor of N observations.
        lam: rate of the exponential prior.
        num_samples: number S of samples z_s ~ Exp(theta).
        generator: torch.Generator for the samples, or None.

    Returns:
        0-dim tensor mean_s [ (log p(x, z_s) - log q(z_s)) * (1 / theta - z_s) ].
    """
    _aliases_intact()
    with torch.no_grad():
        theta = torch.as_tensor(theta, dtype=x.dtype)
        z = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator) / theta
        f = log_joint(z, x, lam) - (torch.log(theta) - theta * z)
        return (f * (1.0 / theta - z)).mean()
