# The reference solution, with every name the test cells use bound by the student as a module-level
# import alias and checked inside every graded function: tests must leave the student's names alone.
# Written by tests/make_alias_variants.py from the master; run it again when the tests' names change.
# kind: namespace
# replaces: exact_w1__solution clamp__solution critic__solution generator__solution train__solution penalty__solution critic_gp__solution
# %% exact_w1__solution
import math as _Bowl
import torch as _CountingLinear
import numpy as _CountingSGD
from torch import nn as _HalfSquaredNorm
from torch import distributions as _L
import math as _L0
import torch as _N
import numpy as _RecordingCritic
from torch import nn as _RecordingSGD
from torch import distributions as _W1
import math as _a
import torch as _a0
import numpy as _a_np
from torch import nn as _a_want
from torch import distributions as _after
import math as _angle
import torch as _b
import numpy as _b0
from torch import nn as _b_want
from torch import distributions as _batches
import math as _before
import torch as _best
import numpy as _bowl
from torch import nn as _c
from torch import distributions as _call
import math as _closed
import torch as _cost
import numpy as _cost_v
from torch import nn as _cov
from torch import distributions as _data
import math as _data_p
import torch as _data_rows
import numpy as _deep
from torch import nn as _eig
from torch import distributions as _embed
import math as _entry
import torch as _error
import numpy as _estimate
from torch import nn as _estimate_v
from torch import distributions as _gap
import math as _gen
import torch as _gen_data
import numpy as _gen_s
from torch import nn as _gen_v
from torch import distributions as _got
import math as _gp
import torch as _grad_mu
import numpy as _grad_raw
from torch import nn as _hint
from torch import distributions as _hist
import math as _hist2
import torch as _id
import numpy as _identity_spy
from torch import nn as _ids
from torch import distributions as _key
import math as _l_then
import torch as _lam
import numpy as _largest
from torch import nn as _length
from torch import distributions as _lin
import math as _lin_opt
import torch as _log
import numpy as _loss
from torch import nn as _lr
from torch import distributions as _make_critics
import math as _make_q_params
import torch as _mean_p
import numpy as _mean_q
from torch import nn as _moving
from torch import distributions as _moving_trainer
import math as _mu
import torch as _mu0
import numpy as _mu2
from torch import nn as _mu_p
from torch import distributions as _mu_s
import math as _mu_t
import torch as _mu_then
import numpy as _mu_want
import numpy as _n
from torch import distributions as _name
import math as _net
import torch as _norm
import numpy as _o
from torch import nn as _old
from torch import distributions as _on_circle
import math as _one_step
import torch as _opt
import numpy as _out
from torch import nn as _p
from torch import distributions as _param
import math as _perm
import torch as _persistent
import numpy as _persistent_opt
from torch import nn as _r
from torch import distributions as _raw
import math as _raw0
import torch as _raw2
import numpy as _raw_p
from torch import nn as _raw_s
from torch import distributions as _recorder
import math as _reference_clipped_sgd
import torch as _reference_gp_sgd
import numpy as _reference_w1
from torch import nn as _rep
from torch import distributions as _rng
import math as _row
import torch as _rows
import numpy as _s
from torch import nn as _seen
from torch import distributions as _sgd
import math as _spy_trainer
import torch as _states
import numpy as _steps
import torch as _t
from torch import distributions as _targets
import math as _trial
import torch as _u
import numpy as _unclipped
from torch import nn as _v
from torch import distributions as _value
import math as _w
import torch as _w1_1d
import numpy as _w1_v
from torch import nn as _w2
from torch import distributions as _w_end
import math as _w_start
import torch as _want
import numpy as _why
from torch import nn as _wrong
from torch import distributions as _x
import math as _x_p
import torch as _x_p_v
import numpy as _x_q
from torch import nn as _x_q_end
from torch import distributions as _x_q_start
import math as _x_q_v
import torch as _x_r
import numpy as _xp
from torch import nn as _xq
from torch import distributions as _y
import math as _z
import torch as a
import numpy as b
from torch import nn as c
from torch import distributions as closure
import math as critics
import torch as forward
import numpy as group
from torch import nn as itertools
from torch import distributions as lam
import math as log
import torch as lr
import numpy as mean_gap
from torch import nn as models
from torch import distributions as norm
import math as optimizer
import torch as p
import numpy as self
from torch import nn as step
from torch import distributions as steps
import math as trainer
import torch as x
import numpy as x_p
from torch import nn as x_q
from torch import distributions as y
_ALIASED = {'_Bowl': _Bowl, '_CountingLinear': _CountingLinear, '_CountingSGD': _CountingSGD, '_HalfSquaredNorm': _HalfSquaredNorm, '_L': _L, '_L0': _L0, '_N': _N, '_RecordingCritic': _RecordingCritic, '_RecordingSGD': _RecordingSGD, '_W1': _W1, '_a': _a, '_a0': _a0, '_a_np': _a_np, '_a_want': _a_want, '_after': _after, '_angle': _angle, '_b': _b, '_b0': _b0, '_b_want': _b_want, '_batches': _batches, '_before': _before, '_best': _best, '_bowl': _bowl, '_c': _c, '_call': _call, '_closed': _closed, '_cost': _cost, '_cost_v': _cost_v, '_cov': _cov, '_data': _data, '_data_p': _data_p, '_data_rows': _data_rows, '_deep': _deep, '_eig': _eig, '_embed': _embed, '_entry': _entry, '_error': _error, '_estimate': _estimate, '_estimate_v': _estimate_v, '_gap': _gap, '_gen': _gen, '_gen_data': _gen_data, '_gen_s': _gen_s, '_gen_v': _gen_v, '_got': _got, '_gp': _gp, '_grad_mu': _grad_mu, '_grad_raw': _grad_raw, '_hint': _hint, '_hist': _hist, '_hist2': _hist2, '_id': _id, '_identity_spy': _identity_spy, '_ids': _ids, '_key': _key, '_l_then': _l_then, '_lam': _lam, '_largest': _largest, '_length': _length, '_lin': _lin, '_lin_opt': _lin_opt, '_log': _log, '_loss': _loss, '_lr': _lr, '_make_critics': _make_critics, '_make_q_params': _make_q_params, '_mean_p': _mean_p, '_mean_q': _mean_q, '_moving': _moving, '_moving_trainer': _moving_trainer, '_mu': _mu, '_mu0': _mu0, '_mu2': _mu2, '_mu_p': _mu_p, '_mu_s': _mu_s, '_mu_t': _mu_t, '_mu_then': _mu_then, '_mu_want': _mu_want, '_n': _n, '_name': _name, '_net': _net, '_norm': _norm, '_o': _o, '_old': _old, '_on_circle': _on_circle, '_one_step': _one_step, '_opt': _opt, '_out': _out, '_p': _p, '_param': _param, '_perm': _perm, '_persistent': _persistent, '_persistent_opt': _persistent_opt, '_r': _r, '_raw': _raw, '_raw0': _raw0, '_raw2': _raw2, '_raw_p': _raw_p, '_raw_s': _raw_s, '_recorder': _recorder, '_reference_clipped_sgd': _reference_clipped_sgd, '_reference_gp_sgd': _reference_gp_sgd, '_reference_w1': _reference_w1, '_rep': _rep, '_rng': _rng, '_row': _row, '_rows': _rows, '_s': _s, '_seen': _seen, '_sgd': _sgd, '_spy_trainer': _spy_trainer, '_states': _states, '_steps': _steps, '_t': _t, '_targets': _targets, '_trial': _trial, '_u': _u, '_unclipped': _unclipped, '_v': _v, '_value': _value, '_w': _w, '_w1_1d': _w1_1d, '_w1_v': _w1_v, '_w2': _w2, '_w_end': _w_end, '_w_start': _w_start, '_want': _want, '_why': _why, '_wrong': _wrong, '_x': _x, '_x_p': _x_p, '_x_p_v': _x_p_v, '_x_q': _x_q, '_x_q_end': _x_q_end, '_x_q_start': _x_q_start, '_x_q_v': _x_q_v, '_x_r': _x_r, '_xp': _xp, '_xq': _xq, '_y': _y, '_z': _z, 'a': a, 'b': b, 'c': c, 'closure': closure, 'critics': critics, 'forward': forward, 'group': group, 'itertools': itertools, 'lam': lam, 'log': log, 'lr': lr, 'mean_gap': mean_gap, 'models': models, 'norm': norm, 'optimizer': optimizer, 'p': p, 'self': self, 'step': step, 'steps': steps, 'trainer': trainer, 'x': x, 'x_p': x_p, 'x_q': x_q, 'y': y}


def _aliases_intact():
    rebound = [name for name, now in (('_Bowl', _Bowl), ('_CountingLinear', _CountingLinear), ('_CountingSGD', _CountingSGD), ('_HalfSquaredNorm', _HalfSquaredNorm), ('_L', _L), ('_L0', _L0), ('_N', _N), ('_RecordingCritic', _RecordingCritic), ('_RecordingSGD', _RecordingSGD), ('_W1', _W1), ('_a', _a), ('_a0', _a0), ('_a_np', _a_np), ('_a_want', _a_want), ('_after', _after), ('_angle', _angle), ('_b', _b), ('_b0', _b0), ('_b_want', _b_want), ('_batches', _batches), ('_before', _before), ('_best', _best), ('_bowl', _bowl), ('_c', _c), ('_call', _call), ('_closed', _closed), ('_cost', _cost), ('_cost_v', _cost_v), ('_cov', _cov), ('_data', _data), ('_data_p', _data_p), ('_data_rows', _data_rows), ('_deep', _deep), ('_eig', _eig), ('_embed', _embed), ('_entry', _entry), ('_error', _error), ('_estimate', _estimate), ('_estimate_v', _estimate_v), ('_gap', _gap), ('_gen', _gen), ('_gen_data', _gen_data), ('_gen_s', _gen_s), ('_gen_v', _gen_v), ('_got', _got), ('_gp', _gp), ('_grad_mu', _grad_mu), ('_grad_raw', _grad_raw), ('_hint', _hint), ('_hist', _hist), ('_hist2', _hist2), ('_id', _id), ('_identity_spy', _identity_spy), ('_ids', _ids), ('_key', _key), ('_l_then', _l_then), ('_lam', _lam), ('_largest', _largest), ('_length', _length), ('_lin', _lin), ('_lin_opt', _lin_opt), ('_log', _log), ('_loss', _loss), ('_lr', _lr), ('_make_critics', _make_critics), ('_make_q_params', _make_q_params), ('_mean_p', _mean_p), ('_mean_q', _mean_q), ('_moving', _moving), ('_moving_trainer', _moving_trainer), ('_mu', _mu), ('_mu0', _mu0), ('_mu2', _mu2), ('_mu_p', _mu_p), ('_mu_s', _mu_s), ('_mu_t', _mu_t), ('_mu_then', _mu_then), ('_mu_want', _mu_want), ('_n', _n), ('_name', _name), ('_net', _net), ('_norm', _norm), ('_o', _o), ('_old', _old), ('_on_circle', _on_circle), ('_one_step', _one_step), ('_opt', _opt), ('_out', _out), ('_p', _p), ('_param', _param), ('_perm', _perm), ('_persistent', _persistent), ('_persistent_opt', _persistent_opt), ('_r', _r), ('_raw', _raw), ('_raw0', _raw0), ('_raw2', _raw2), ('_raw_p', _raw_p), ('_raw_s', _raw_s), ('_recorder', _recorder), ('_reference_clipped_sgd', _reference_clipped_sgd), ('_reference_gp_sgd', _reference_gp_sgd), ('_reference_w1', _reference_w1), ('_rep', _rep), ('_rng', _rng), ('_row', _row), ('_rows', _rows), ('_s', _s), ('_seen', _seen), ('_sgd', _sgd), ('_spy_trainer', _spy_trainer), ('_states', _states), ('_steps', _steps), ('_t', _t), ('_targets', _targets), ('_trial', _trial), ('_u', _u), ('_unclipped', _unclipped), ('_v', _v), ('_value', _value), ('_w', _w), ('_w1_1d', _w1_1d), ('_w1_v', _w1_v), ('_w2', _w2), ('_w_end', _w_end), ('_w_start', _w_start), ('_want', _want), ('_why', _why), ('_wrong', _wrong), ('_x', _x), ('_x_p', _x_p), ('_x_p_v', _x_p_v), ('_x_q', _x_q), ('_x_q_end', _x_q_end), ('_x_q_start', _x_q_start), ('_x_q_v', _x_q_v), ('_x_r', _x_r), ('_xp', _xp), ('_xq', _xq), ('_y', _y), ('_z', _z), ('a', a), ('b', b), ('c', c), ('closure', closure), ('critics', critics), ('forward', forward), ('group', group), ('itertools', itertools), ('lam', lam), ('log', log), ('lr', lr), ('mean_gap', mean_gap), ('models', models), ('norm', norm), ('optimizer', optimizer), ('p', p), ('self', self), ('step', step), ('steps', steps), ('trainer', trainer), ('x', x), ('x_p', x_p), ('x_q', x_q), ('y', y)) if now is not _ALIASED[name]]
    assert not rebound, f"a test cell rebound the student's names {rebound}"


def exact_w1(x, y):
    """Exact Wasserstein-1 distance between two equal-size point clouds with uniform weights.

    Args:
        x: points of the first sample, shape (n, d); torch tensor (may require grad) or NumPy array.
        y: points of the second sample, shape (n, d).

    Returns:
        min over permutations sigma of (1/n) sum_i ||x_i - y_sigma(i)||_2, as a Python float.
    """
    _aliases_intact()
    def to_numpy(points):
        if isinstance(points, torch.Tensor):
            points = points.detach().cpu().numpy()
        return np.asarray(points, dtype=np.float64)

    cost = cdist(to_numpy(x), to_numpy(y))        # Euclidean distances, shape (n, n)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())

# %% clamp__solution
def clamp_weights(net, clamp):
    """Clip every parameter of `net` (weights and biases of all layers) in place to [-clamp, clamp].

    Args:
        net: a torch.nn.Module.
        clamp: positive float, the half-width c of the allowed range [-c, c].

    Returns:
        None; the parameters are modified in place (the same tensors, no autograd history).
    """
    _aliases_intact()
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.clamp_(-clamp, clamp)

# %% critic__solution
def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    """Continue training a weight-clipped critic on -(mean f(x_p) - mean f(x_q)); return it.

    Args:
        x_p: samples of P, shape (n, 2).
        x_q: samples of Q, shape (m, 2), treated as constants.
        critic: nn.Module mapping (k, 2) -> (k, 1); trained in place.
        optimizer: torch optimiser over critic.parameters() (kept across calls).
        steps: number of optimiser steps.
        clamp: after every optimiser step, every parameter is clipped to [-clamp, clamp].

    Returns:
        critic, the same object.
    """
    _aliases_intact()
    x_q = x_q.detach()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = -(critic(x_p).mean() - critic(x_q).mean())
        loss.backward()
        optimizer.step()
        clamp_weights(critic, clamp)
    return critic

# %% generator__solution
def generator_step(critic, mu, raw_scale, optimizer, n_samples=256):
    """One optimiser step of Q = N(mu, L L^T) on the loss -mean f(x), x ~ Q, through reparameterised samples.

    Args:
        critic: nn.Module mapping (k, 2) -> (k, 1); not updated here.
        mu: leaf tensor of shape (2,) with requires_grad=True.
        raw_scale: leaf tensor of shape (2, 2) with requires_grad=True (see scale_tril_from_raw).
        optimizer: torch optimiser over mu and/or raw_scale.
        n_samples: number of samples of Q for the Monte Carlo average.

    Returns:
        The loss -mean f(x) of this step as a Python float.
    """
    _aliases_intact()
    optimizer.zero_grad()
    samples = make_q(mu, raw_scale).rsample((n_samples,))
    loss = -critic(samples).mean()
    loss.backward()
    optimizer.step()
    return loss.item()

# %% train__solution
def train_wgan(train_critic, critic, critic_optimizer, mu, raw_scale, q_optimizer, x_data,
               n_iterations, n_critic=5, batch_size=256):
    """Alternate n_critic critic steps and one step of Q, n_iterations times, with one persistent critic.

    Args:
        train_critic: function(x_p, x_q, critic, optimizer, steps=...) that trains the critic in place.
        critic, critic_optimizer: the persistent critic (input (k, 2), output (k, 1)) and its optimiser.
        mu, raw_scale: leaf tensors of Q's parameters, shapes (2,) and (2, 2).
        q_optimizer: optimiser over mu and raw_scale.
        x_data: training samples of P, shape (n_data, 2).
        n_iterations: number of updates of Q.
        n_critic: critic steps before every update of Q.
        batch_size: samples of P and of Q per iteration (and for the generator step).

    Returns:
        history: dict with lists 'estimate' (n_iterations floats), 'mu' and 'scale_tril'
        (n_iterations + 1 detached tensors each, entry 0 = the start).
    """
    _aliases_intact()
    history = {
        "estimate": [],
        "mu": [mu.detach().clone()],
        "scale_tril": [scale_tril_from_raw(raw_scale).detach().clone()],
    }
    for _ in range(n_iterations):
        x_p = x_data[torch.randint(0, len(x_data), (batch_size,))]
        with torch.no_grad():
            x_q = make_q(mu, raw_scale).sample((batch_size,))
        train_critic(x_p, x_q, critic, critic_optimizer, steps=n_critic)
        with torch.no_grad():
            history["estimate"].append((critic(x_p).mean() - critic(x_q).mean()).item())
        generator_step(critic, mu, raw_scale, q_optimizer, batch_size)
        history["mu"].append(mu.detach().clone())
        history["scale_tril"].append(scale_tril_from_raw(raw_scale).detach().clone())
    return history

# %% penalty__solution
def compute_gradient_penalty(critic, x_r, x_q):
    """WGAN-GP penalty mean_i (||grad f(x_hat_i)||_2 - 1)^2 at random points on the segments x_q,i -> x_r,i.

    Args:
        critic: nn.Module mapping (n, 2) -> (n, 1).
        x_r: samples of P, shape (n, 2).
        x_q: samples of Q, shape (n, 2).

    Returns:
        0-dim tensor; differentiable with respect to the critic's parameters (create_graph=True).
    """
    _aliases_intact()
    epsilon = torch.rand(x_r.shape[0], 1, dtype=x_r.dtype)         # one epsilon per pair, shared by coordinates
    x_hat = (epsilon * x_r.detach() + (1 - epsilon) * x_q.detach()).requires_grad_(True)
    (gradients,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((gradients.norm(dim=1) - 1) ** 2).mean()

# %% critic_gp__solution
def create_critic_with_penalty(x_p, x_q, critic, optimizer, steps=5, penalty_weight=10.0):
    """Continue training a critic on -(mean f(x_p) - mean f(x_q)) + penalty_weight * gradient penalty.

    Args:
        x_p: samples of P, shape (n, 2).
        x_q: samples of Q, shape (n, 2), treated as constants.
        critic: nn.Module mapping (k, 2) -> (k, 1); trained in place.
        optimizer: torch optimiser over critic.parameters() (kept across calls).
        steps: number of optimiser steps.
        penalty_weight: lambda, the weight of compute_gradient_penalty in the loss.

    Returns:
        critic, the same object.
    """
    _aliases_intact()
    x_q = x_q.detach()
    for _ in range(steps):
        optimizer.zero_grad()
        gap = critic(x_p).mean() - critic(x_q).mean()
        loss = -gap + penalty_weight * compute_gradient_penalty(critic, x_p, x_q)
        loss.backward()
        optimizer.step()
    return critic
