# The reference solution, with every name the test cells use bound by the student as a module-level
# import alias and checked inside every graded function: tests must leave the student's names alone.
# Written by tests/make_alias_variants.py from the master; run it again when the tests' names change.
# kind: namespace
# replaces: lp_transformed__solution kl_quadrature__solution kl_monte_carlo__solution coin_elbo__solution coin_log_evidence__solution elbo_adam__solution
# %% lp_transformed__solution
import math as _T
import torch as _a
import numpy as _adam_step
from torch import nn as _args
from torch import distributions as _b
import math as _batch
import torch as _batch2
import numpy as _batched
from torch import nn as _best_normal
from torch import distributions as _beta
import math as _c
import torch as _cases
import numpy as _coarse
from torch import distributions as _d
from torch import distributions as _data
import math as _dim_hint
import torch as _elbo
import numpy as _error
from torch import nn as _est
from torch import distributions as _exact
import math as _expected
import torch as _expected_torch
import numpy as _f
from torch import nn as _flips
from torch import distributions as _g
import math as _gamma
import torch as _gh_elbo
import numpy as _got
from torch import nn as _h
from torch import distributions as _handle
import math as _hi
import torch as _hist
import numpy as _hist1
from torch import nn as _hist8
from torch import distributions as _hist_v
import math as _integrate
import torch as _j
import numpy as _joint
from torch import nn as _k
from torch import distributions as _kl
import math as _kl_ref
import torch as _kl_wide
import numpy as _kwargs
from torch import nn as _label
from torch import distributions as _large
import math as _lo
import torch as _log_ev
import numpy as _log_evidence
from torch import nn as _log_sig
from torch import distributions as _lower
import math as _lp
import torch as _lq
import numpy as _lr
import math as _m
from torch import distributions as _m1
import math as _m2
import torch as _mass
import numpy as _mix
from torch import nn as _mix_logpdf
from torch import distributions as _mr
import math as _mu
import torch as _mu2
import numpy as _mu_param
from torch import nn as _mu_ref
from torch import distributions as _mu_v
import math as _mus
import numpy as _n
import numpy as _name
from torch import nn as _narrow
from torch import distributions as _optimizer
import math as _p
import torch as _p0
import numpy as _pairs
from torch import nn as _pb
from torch import distributions as _prior_hint
import math as _q
import torch as _q0
import numpy as _qb
from torch import nn as _rates
from torch import distributions as _ratio
import math as _record
import torch as _reference
import numpy as _reference_elbo
from torch import nn as _reference_kl_to_posterior
from torch import distributions as _register_step_pre_hook
import math as _rsample_hint
import torch as _s
import numpy as _s1
from torch import nn as _s2
from torch import distributions as _se
import math as _seed
import torch as _seen
import numpy as _shape_hint
from torch import nn as _sigma
from torch import distributions as _sigma2
import math as _sigma_ref
import torch as _sigma_v
import numpy as _sigmas
from torch import nn as _small
from torch import distributions as _special
import math as _spy_step
import torch as _sr
import numpy as _stats
import torch as _t
from torch import distributions as _trapezoid
import math as _u
import torch as _unif
import numpy as _upper
from torch import nn as _v
from torch import distributions as _wide
import math as _xs
import torch as _xs_b
import numpy as _z
from torch import nn as _z2
from torch import distributions as args
import math as heads
import torch as kwargs
import numpy as log_joint
from torch import nn as log_post
from torch import distributions as log_s
import math as neg_entropy
import torch as negative_elbo
import numpy as order
from torch import nn as params
from torch import distributions as self
import math as tails
import torch as w
import numpy as x
_ALIASED = {'_T': _T, '_a': _a, '_adam_step': _adam_step, '_args': _args, '_b': _b, '_batch': _batch, '_batch2': _batch2, '_batched': _batched, '_best_normal': _best_normal, '_beta': _beta, '_c': _c, '_cases': _cases, '_coarse': _coarse, '_d': _d, '_data': _data, '_dim_hint': _dim_hint, '_elbo': _elbo, '_error': _error, '_est': _est, '_exact': _exact, '_expected': _expected, '_expected_torch': _expected_torch, '_f': _f, '_flips': _flips, '_g': _g, '_gamma': _gamma, '_gh_elbo': _gh_elbo, '_got': _got, '_h': _h, '_handle': _handle, '_hi': _hi, '_hist': _hist, '_hist1': _hist1, '_hist8': _hist8, '_hist_v': _hist_v, '_integrate': _integrate, '_j': _j, '_joint': _joint, '_k': _k, '_kl': _kl, '_kl_ref': _kl_ref, '_kl_wide': _kl_wide, '_kwargs': _kwargs, '_label': _label, '_large': _large, '_lo': _lo, '_log_ev': _log_ev, '_log_evidence': _log_evidence, '_log_sig': _log_sig, '_lower': _lower, '_lp': _lp, '_lq': _lq, '_lr': _lr, '_m': _m, '_m1': _m1, '_m2': _m2, '_mass': _mass, '_mix': _mix, '_mix_logpdf': _mix_logpdf, '_mr': _mr, '_mu': _mu, '_mu2': _mu2, '_mu_param': _mu_param, '_mu_ref': _mu_ref, '_mu_v': _mu_v, '_mus': _mus, '_n': _n, '_name': _name, '_narrow': _narrow, '_optimizer': _optimizer, '_p': _p, '_p0': _p0, '_pairs': _pairs, '_pb': _pb, '_prior_hint': _prior_hint, '_q': _q, '_q0': _q0, '_qb': _qb, '_rates': _rates, '_ratio': _ratio, '_record': _record, '_reference': _reference, '_reference_elbo': _reference_elbo, '_reference_kl_to_posterior': _reference_kl_to_posterior, '_register_step_pre_hook': _register_step_pre_hook, '_rsample_hint': _rsample_hint, '_s': _s, '_s1': _s1, '_s2': _s2, '_se': _se, '_seed': _seed, '_seen': _seen, '_shape_hint': _shape_hint, '_sigma': _sigma, '_sigma2': _sigma2, '_sigma_ref': _sigma_ref, '_sigma_v': _sigma_v, '_sigmas': _sigmas, '_small': _small, '_special': _special, '_spy_step': _spy_step, '_sr': _sr, '_stats': _stats, '_t': _t, '_trapezoid': _trapezoid, '_u': _u, '_unif': _unif, '_upper': _upper, '_v': _v, '_wide': _wide, '_xs': _xs, '_xs_b': _xs_b, '_z': _z, '_z2': _z2, 'args': args, 'heads': heads, 'kwargs': kwargs, 'log_joint': log_joint, 'log_post': log_post, 'log_s': log_s, 'neg_entropy': neg_entropy, 'negative_elbo': negative_elbo, 'order': order, 'params': params, 'self': self, 'tails': tails, 'w': w, 'x': x}


def _aliases_intact():
    rebound = [name for name, now in (('_T', _T), ('_a', _a), ('_adam_step', _adam_step), ('_args', _args), ('_b', _b), ('_batch', _batch), ('_batch2', _batch2), ('_batched', _batched), ('_best_normal', _best_normal), ('_beta', _beta), ('_c', _c), ('_cases', _cases), ('_coarse', _coarse), ('_d', _d), ('_data', _data), ('_dim_hint', _dim_hint), ('_elbo', _elbo), ('_error', _error), ('_est', _est), ('_exact', _exact), ('_expected', _expected), ('_expected_torch', _expected_torch), ('_f', _f), ('_flips', _flips), ('_g', _g), ('_gamma', _gamma), ('_gh_elbo', _gh_elbo), ('_got', _got), ('_h', _h), ('_handle', _handle), ('_hi', _hi), ('_hist', _hist), ('_hist1', _hist1), ('_hist8', _hist8), ('_hist_v', _hist_v), ('_integrate', _integrate), ('_j', _j), ('_joint', _joint), ('_k', _k), ('_kl', _kl), ('_kl_ref', _kl_ref), ('_kl_wide', _kl_wide), ('_kwargs', _kwargs), ('_label', _label), ('_large', _large), ('_lo', _lo), ('_log_ev', _log_ev), ('_log_evidence', _log_evidence), ('_log_sig', _log_sig), ('_lower', _lower), ('_lp', _lp), ('_lq', _lq), ('_lr', _lr), ('_m', _m), ('_m1', _m1), ('_m2', _m2), ('_mass', _mass), ('_mix', _mix), ('_mix_logpdf', _mix_logpdf), ('_mr', _mr), ('_mu', _mu), ('_mu2', _mu2), ('_mu_param', _mu_param), ('_mu_ref', _mu_ref), ('_mu_v', _mu_v), ('_mus', _mus), ('_n', _n), ('_name', _name), ('_narrow', _narrow), ('_optimizer', _optimizer), ('_p', _p), ('_p0', _p0), ('_pairs', _pairs), ('_pb', _pb), ('_prior_hint', _prior_hint), ('_q', _q), ('_q0', _q0), ('_qb', _qb), ('_rates', _rates), ('_ratio', _ratio), ('_record', _record), ('_reference', _reference), ('_reference_elbo', _reference_elbo), ('_reference_kl_to_posterior', _reference_kl_to_posterior), ('_register_step_pre_hook', _register_step_pre_hook), ('_rsample_hint', _rsample_hint), ('_s', _s), ('_s1', _s1), ('_s2', _s2), ('_se', _se), ('_seed', _seed), ('_seen', _seen), ('_shape_hint', _shape_hint), ('_sigma', _sigma), ('_sigma2', _sigma2), ('_sigma_ref', _sigma_ref), ('_sigma_v', _sigma_v), ('_sigmas', _sigmas), ('_small', _small), ('_special', _special), ('_spy_step', _spy_step), ('_sr', _sr), ('_stats', _stats), ('_t', _t), ('_trapezoid', _trapezoid), ('_u', _u), ('_unif', _unif), ('_upper', _upper), ('_v', _v), ('_wide', _wide), ('_xs', _xs), ('_xs_b', _xs_b), ('_z', _z), ('_z2', _z2), ('args', args), ('heads', heads), ('kwargs', kwargs), ('log_joint', log_joint), ('log_post', log_post), ('log_s', log_s), ('neg_entropy', neg_entropy), ('negative_elbo', negative_elbo), ('order', order), ('params', params), ('self', self), ('tails', tails), ('w', w), ('x', x)) if now is not _ALIASED[name]]
    assert not rebound, f"a test cell rebound the student's names {rebound}"


def lp_transformed(xs, d, transform):
    """Log density of Z = transform^{-1}(X), X ~ d, at the unconstrained points xs.

    Args:
        xs: float tensor of points z in R, any shape.
        d: a torch distribution with scalar events whose support is the image of `transform`.
        transform: a torch.distributions Transform from R onto the support of d (e.g. transform_to(d.support)).

    Returns:
        Tensor of the same shape as xs: log p_X(T(z)) + log |dT/dz (z)|.
    """
    _aliases_intact()
    ys = transform(xs)
    return d.log_prob(ys) + transform.log_abs_det_jacobian(xs, ys)

# %% kl_quadrature__solution
def kl_quadrature(p, q, xs):
    """KL(p || q) = integral of p(x) (log p(x) - log q(x)) dx by the trapezoidal rule along dim 0 of xs.

    Args:
        p, q: torch distributions with scalar events (batch shapes broadcast against xs.shape[1:]).
        xs: grid, shape (n,) or (n, *batch), increasing along dim 0.

    Returns:
        0-dim tensor (1-D grid) or tensor of shape xs.shape[1:]; the integrand is 0 where p(x) = 0.
    """
    _aliases_intact()
    log_p = p.log_prob(xs)
    log_q = q.log_prob(xs)
    p_is_zero = torch.isneginf(log_p)
    safe_log_p = torch.where(p_is_zero, torch.zeros_like(log_p), log_p)
    integrand = torch.where(p_is_zero, torch.zeros_like(log_p), safe_log_p.exp() * (safe_log_p - log_q))
    return torch.trapezoid(integrand, xs, dim=0)

# %% kl_monte_carlo__solution
def kl_monte_carlo(p, q, n_samples):
    """Monte Carlo estimate of KL(p || q) = E_p[log p(x) - log q(x)] from n_samples draws of p.

    Args:
        p, q: torch distributions with scalar events and no batch shape.
        n_samples: number of samples N (int).

    Returns:
        0-dim tensor, the average of log p(x_i) - log q(x_i) over x_i ~ p.
    """
    _aliases_intact()
    samples = p.sample((n_samples,))
    return (p.log_prob(samples) - q.log_prob(samples)).mean()

# %% coin_elbo__solution
def coin_elbo(mu, sigma, flips, n_points=2001):
    """ELBO of q = Normal(mu, sigma) over z = logit(theta) for the coin model with a Uniform(0, 1) prior on theta.

    Args:
        mu, sigma: Python floats or float tensors of one common shape S.
        flips: 1-D tensor of 0/1 outcomes.
        n_points: quadrature points per q, spread over mu +- 8 sigma.

    Returns:
        Tensor of shape S: integral of q(z) (log p(flips, z) - log q(z)) dz.
    """
    _aliases_intact()
    mu = torch.as_tensor(mu, dtype=torch.get_default_dtype())
    sigma = torch.as_tensor(sigma, dtype=torch.get_default_dtype())
    u = torch.linspace(-8.0, 8.0, n_points).reshape(-1, *([1] * mu.dim()))
    z = mu + sigma * u                                             # (n_points, *S)
    log_q = dist.Normal(mu, sigma).log_prob(z)
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.trapezoid(log_q.exp() * (log_joint - log_q), z, dim=0)

# %% coin_log_evidence__solution
def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    """log p(flips) = log of the integral over z of p(flips, z), by the trapezoidal rule on [lower, upper].

    Args:
        flips: 1-D tensor of 0/1 outcomes.
        lower, upper, n_points: the grid torch.linspace(lower, upper, n_points) in z-space.

    Returns:
        0-dim tensor, the log evidence of the coin model with a Uniform(0, 1) prior on theta.
    """
    _aliases_intact()
    z = torch.linspace(lower, upper, n_points)
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.log(torch.trapezoid(log_joint.exp(), z))

# %% elbo_adam__solution
def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    """Fit q = Normal(mu, sigma) over z = logit(theta) to the coin posterior by maximising the ELBO with Adam.

    Args:
        flips: 1-D tensor of 0/1 outcomes.
        n_steps: number of Adam steps.
        n_samples: reparameterised samples per step.
        lr: initial learning rate; it decays linearly to 0 over the n_steps.

    Returns:
        (mu, sigma, history): Python floats and a list of n_steps Python floats, the ELBO estimate of every step.
    """
    _aliases_intact()
    mu = torch.zeros((), requires_grad=True)          # q starts as Normal(0, 1)
    log_sigma = torch.zeros((), requires_grad=True)   # sigma = exp(log_sigma) is positive for every real value
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    entropy_constant = 0.5 * math.log(2 * math.pi * math.e)
    for _ in range(n_steps):
        eps = torch.randn(n_samples)
        z = mu + log_sigma.exp() * eps
        log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
        elbo = log_joint.mean() + log_sigma + entropy_constant
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        history.append(elbo.item())
    return mu.item(), log_sigma.exp().item(), history
