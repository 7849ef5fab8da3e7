# The reference solution, with every name the test cells use bound by the student as a module-level
# import alias and checked inside every graded function: tests must leave the student's names alone.
# Written by tests/make_alias_variants.py from the master; run it again when the tests' names change.
# kind: namespace
# replaces: w1_scipy__solution w1_cdf__solution optimize__solution landing__solution kl__solution kl_fit__solution
# %% w1_scipy__solution
import math as _a
import torch as _a32
import numpy as _a_grad
from torch import nn as _b
from torch import distributions as _b32
import math as _b_np
import torch as _b_t
import numpy as _basin_minimiser
from torch import nn as _binom
from torch import distributions as _bound
from torch import distributions as _d
import torch as _data
import numpy as _data64
from torch import nn as _data_np
from torch import distributions as _diff
import math as _epochs
import torch as _expected
import numpy as _fd
from torch import nn as _five
from torch import distributions as _g
import math as _got
import torch as _grid
import numpy as _h
from torch import nn as _hi
from torch import distributions as _hist
import math as _hist_out
import torch as _hist_up
import numpy as _j
from torch import nn as _k
from torch import distributions as _key
import math as _kl
import torch as _kl0
import numpy as _kl_data_model
from torch import nn as _klz
from torch import distributions as _left
import math as _lo
import math as _m
import numpy as _mean_teeth
from torch import nn as _mirror10
from torch import distributions as _mle
import math as _model
import numpy as _n
import numpy as _outside
from torch import nn as _p
from torch import distributions as _p0
import math as _p_end
import torch as _p_fit
import numpy as _p_five
from torch import nn as _p_out
from torch import distributions as _pt
import math as _pv
import torch as _pz
import numpy as _q
from torch import nn as _q0
from torch import distributions as _qz
import math as _ramp10
import torch as _reward_large_p
import numpy as _right
from torch import nn as _rng
from torch import distributions as _s
import math as _scipy_entropy
import torch as _scipy_w1
import numpy as _signs
from torch import nn as _start
from torch import distributions as _target
import math as _uniform10
import torch as _v
import numpy as _w
from torch import nn as _w1_at
from torch import distributions as _w1_cdf_numpy
import math as _w1_loss
import torch as _w1_of_p
import numpy as _w1_of_p_numpy
from torch import nn as _w1_scipy_reference
from torch import distributions as _w_grid
import math as _w_min
import torch as a
import numpy as b
from torch import nn as best
from torch import distributions as grid
import math as hi
import torch as lo
import numpy as math
from torch import nn as model
from torch import distributions as p_value
import math as points
import torch as support
import numpy as w
_ALIASED = {'_a': _a, '_a32': _a32, '_a_grad': _a_grad, '_b': _b, '_b32': _b32, '_b_np': _b_np, '_b_t': _b_t, '_basin_minimiser': _basin_minimiser, '_binom': _binom, '_bound': _bound, '_d': _d, '_data': _data, '_data64': _data64, '_data_np': _data_np, '_diff': _diff, '_epochs': _epochs, '_expected': _expected, '_fd': _fd, '_five': _five, '_g': _g, '_got': _got, '_grid': _grid, '_h': _h, '_hi': _hi, '_hist': _hist, '_hist_out': _hist_out, '_hist_up': _hist_up, '_j': _j, '_k': _k, '_key': _key, '_kl': _kl, '_kl0': _kl0, '_kl_data_model': _kl_data_model, '_klz': _klz, '_left': _left, '_lo': _lo, '_m': _m, '_mean_teeth': _mean_teeth, '_mirror10': _mirror10, '_mle': _mle, '_model': _model, '_n': _n, '_outside': _outside, '_p': _p, '_p0': _p0, '_p_end': _p_end, '_p_fit': _p_fit, '_p_five': _p_five, '_p_out': _p_out, '_pt': _pt, '_pv': _pv, '_pz': _pz, '_q': _q, '_q0': _q0, '_qz': _qz, '_ramp10': _ramp10, '_reward_large_p': _reward_large_p, '_right': _right, '_rng': _rng, '_s': _s, '_scipy_entropy': _scipy_entropy, '_scipy_w1': _scipy_w1, '_signs': _signs, '_start': _start, '_target': _target, '_uniform10': _uniform10, '_v': _v, '_w': _w, '_w1_at': _w1_at, '_w1_cdf_numpy': _w1_cdf_numpy, '_w1_loss': _w1_loss, '_w1_of_p': _w1_of_p, '_w1_of_p_numpy': _w1_of_p_numpy, '_w1_scipy_reference': _w1_scipy_reference, '_w_grid': _w_grid, '_w_min': _w_min, 'a': a, 'b': b, 'best': best, 'grid': grid, 'hi': hi, 'lo': lo, 'math': math, 'model': model, 'p_value': p_value, 'points': points, 'support': support, 'w': w}


def _aliases_intact():
    rebound = [name for name, now in (('_a', _a), ('_a32', _a32), ('_a_grad', _a_grad), ('_b', _b), ('_b32', _b32), ('_b_np', _b_np), ('_b_t', _b_t), ('_basin_minimiser', _basin_minimiser), ('_binom', _binom), ('_bound', _bound), ('_d', _d), ('_data', _data), ('_data64', _data64), ('_data_np', _data_np), ('_diff', _diff), ('_epochs', _epochs), ('_expected', _expected), ('_fd', _fd), ('_five', _five), ('_g', _g), ('_got', _got), ('_grid', _grid), ('_h', _h), ('_hi', _hi), ('_hist', _hist), ('_hist_out', _hist_out), ('_hist_up', _hist_up), ('_j', _j), ('_k', _k), ('_key', _key), ('_kl', _kl), ('_kl0', _kl0), ('_kl_data_model', _kl_data_model), ('_klz', _klz), ('_left', _left), ('_lo', _lo), ('_m', _m), ('_mean_teeth', _mean_teeth), ('_mirror10', _mirror10), ('_mle', _mle), ('_model', _model), ('_n', _n), ('_outside', _outside), ('_p', _p), ('_p0', _p0), ('_p_end', _p_end), ('_p_fit', _p_fit), ('_p_five', _p_five), ('_p_out', _p_out), ('_pt', _pt), ('_pv', _pv), ('_pz', _pz), ('_q', _q), ('_q0', _q0), ('_qz', _qz), ('_ramp10', _ramp10), ('_reward_large_p', _reward_large_p), ('_right', _right), ('_rng', _rng), ('_s', _s), ('_scipy_entropy', _scipy_entropy), ('_scipy_w1', _scipy_w1), ('_signs', _signs), ('_start', _start), ('_target', _target), ('_uniform10', _uniform10), ('_v', _v), ('_w', _w), ('_w1_at', _w1_at), ('_w1_cdf_numpy', _w1_cdf_numpy), ('_w1_loss', _w1_loss), ('_w1_of_p', _w1_of_p), ('_w1_of_p_numpy', _w1_of_p_numpy), ('_w1_scipy_reference', _w1_scipy_reference), ('_w_grid', _w_grid), ('_w_min', _w_min), ('a', a), ('b', b), ('best', best), ('grid', grid), ('hi', hi), ('lo', lo), ('math', math), ('model', model), ('p_value', p_value), ('points', points), ('support', support), ('w', w)) if now is not _ALIASED[name]]
    assert not rebound, f"a test cell rebound the student's names {rebound}"


def wasserstein_distance_for_pdf(p_probs, q_probs):
    """Wasserstein-1 distance between two pmfs on the support 0, 1, ..., n-1, computed with SciPy.

    Args:
        p_probs: probabilities of the first distribution, length n (torch tensor, NumPy array or list).
        q_probs: probabilities of the second distribution, same length n.

    Returns:
        W1(p, q) as a Python float (distances measured in units of the support spacing, 1).
    """
    _aliases_intact()
    def to_numpy(x):
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().numpy()
        return np.asarray(x, dtype=np.float64)

    p_np, q_np = to_numpy(p_probs), to_numpy(q_probs)
    support = np.arange(len(p_np), dtype=np.float64)
    return float(wasserstein_distance(support, support, u_weights=p_np, v_weights=q_np))

# %% w1_cdf__solution
def compute_wasserstein_distance(p_probs, q_probs):
    """Differentiable Wasserstein-1 distance between two pmfs on the support 0, 1, ..., n-1.

    Args:
        p_probs: 1-D tensor of probabilities, length n.
        q_probs: 1-D tensor of probabilities, same length n.

    Returns:
        0-dim tensor sum_k |F_p(k) - F_q(k)| where F is the cumulative sum; it keeps the autograd graph.
    """
    _aliases_intact()
    cdf_difference = torch.cumsum(p_probs, dim=-1) - torch.cumsum(q_probs, dim=-1)
    return cdf_difference.abs().sum()

# %% optimize__solution
def optimize_binomial_distribution(func, p, true_data, lr=1e-3, epochs=1000):
    """Fit the success probability of a Binomial(len(true_data) - 1, p) model by minimising func with Adam.

    Args:
        func: loss with signature func(data_pmf, model_pmf) -> 0-dim tensor; always called in this order.
        p: starting value of the binomial parameter, a 0-dim tensor (it is copied, not modified).
        true_data: 1-D tensor, the data pmf on the support 0, 1, ..., len(true_data) - 1.
        lr: learning rate of torch.optim.Adam.
        epochs: number of optimisation steps.

    Returns:
        (p, history) where p is the fitted parameter as a 0-dim tensor in [EPS, 1 - EPS] and history is a
        dict with lists of length `epochs`:
            history['epoch'][i] == i (int),
            history['dist'][i]  == the loss of epoch i (Python float),
            history['p'][i]     == the value of p used to compute that loss (Python float, after clamping,
                                   before the optimiser step).
    """
    _aliases_intact()
    p = torch.as_tensor(p, dtype=torch.get_default_dtype()).detach().clone().requires_grad_(True)  # a fresh leaf
    history = defaultdict(list)
    optimizer = torch.optim.Adam([p], lr=lr)
    # For every epoch i:
    #   1. clamp p in place to [EPS, 1 - EPS] inside torch.no_grad()
    #   2. build the binomial with distrs.Binomial (total_count = len(true_data) - 1) and evaluate its pmf
    #      on the support 0, 1, ..., total_count with .log_prob(support).exp()
    #   3. d = func(true_data, model_pmf)
    #   4. zero the gradients, backpropagate d, take an optimiser step
    #   5. append i, d and p (as Python numbers) to history['epoch'], history['dist'], history['p']
    total_count = len(true_data) - 1
    support = torch.arange(total_count + 1, dtype=true_data.dtype)
    for i in range(epochs):
        with torch.no_grad():
            p.clamp_(EPS, 1 - EPS)
        p_used = p.item()
        model_pmf = distrs.Binomial(total_count=total_count, probs=p).log_prob(support).exp()
        d = func(true_data, model_pmf)
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(d.item())
        history['p'].append(p_used)
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    return p, history

# %% landing__solution
start_points = [0.2, 0.45, 0.6]
landing_points = {}      # start (float) -> fitted p (Python float)
landing_histories = {}   # start (float) -> history dict returned by optimize_binomial_distribution
for start in start_points:
    p_fit, history = optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(start), true_data)
    landing_points[start] = p_fit.item()
    landing_histories[start] = history
for start, p_end in landing_points.items():
    print(f"start {start:.2f} -> landed at p = {p_end:.4f}")

# %% kl__solution
def discrete_kl_divergence(p_probs, q_probs):
    """KL(p || q) = sum_k p_k log(p_k / q_k) for two pmfs, with the convention 0 * log(0 / q) = 0.

    Args:
        p_probs: 1-D tensor, the first distribution P (may contain zeros).
        q_probs: 1-D tensor, the second distribution Q, same length.

    Returns:
        0-dim tensor KL(P || Q) that keeps the autograd graph (+inf where q_k = 0 < p_k).
    """
    _aliases_intact()
    return (torch.xlogy(p_probs, p_probs) - torch.xlogy(p_probs, q_probs)).sum()

# %% kl_fit__solution
p_kl, kl_history = optimize_binomial_distribution(discrete_kl_divergence, torch.tensor(0.2), true_data)
print(f"p fitted with KL: {p_kl.item():.4f}")
