# The reference solution, with every name the test cells use bound by the student as a module-level
# import alias and checked inside every graded function: tests must leave the student's names alone.
# Written by tests/make_alias_variants.py from the master; run it again when the tests' names change.
# kind: namespace
# replaces: schedule__solution q_sample__solution loss__solution p_step__solution ddpm__solution ddim__solution
# %% schedule__solution
import math as _M
import torch as _T
import numpy as _T10
from torch import nn as _V
from torch import distributions as _a
import math as _ab
import torch as _ab10
import numpy as _b
from torch import nn as _b10
from torch import distributions as _beta
import math as _betas
import torch as _c
import numpy as _calls
from torch import nn as _cb
from torch import distributions as _chain
import math as _clipped
import torch as _cols
import numpy as _corr
from torch import nn as _cost
from torch import distributions as _counts
import math as _e
import torch as _ei
import numpy as _eps
from torch import nn as _exact
from torch import distributions as _exp
import math as _expected
import torch as _expected_count
import numpy as _expi
from torch import nn as _f
from torch import distributions as _first
import math as _flat
import torch as _fr
import numpy as _given
from torch import nn as _got
from torch import distributions as _guess
import math as _half
import torch as _img
import numpy as _inputs
from torch import nn as _k
from torch import distributions as _knows
import math as _l
import torch as _last
import numpy as _lin
from torch import nn as _loss
from torch import distributions as _mean
import math as _mean2
import torch as _model
import numpy as _n
from torch import nn as _net
from torch import distributions as _noise
import math as _noises
import torch as _one
import numpy as _out
from torch import nn as _p
from torch import distributions as _point
import math as _previous
import torch as _prod
import numpy as _r
from torch import nn as _record
from torch import distributions as _rows
import math as _running
import torch as _s
import numpy as _s10
from torch import nn as _s32
from torch import distributions as _seen
import math as _shape
import torch as _sigma
import numpy as _sigma2
from torch import nn as _slope
from torch import distributions as _spy
import math as _starts
import torch as _steps
import torch as _t
from torch import nn as _t3
from torch import distributions as _ti
import math as _ts
import torch as _tt
import numpy as _v
from torch import nn as _var
from torch import distributions as _w1
import math as _x
import torch as _x0
import numpy as _x2
from torch import nn as _x3
from torch import distributions as _xT
import math as _xg
import torch as _xi
import numpy as _xs
from torch import nn as _xt
from torch import distributions as _y
import math as _z
import torch as _zero
import numpy as c
from torch import nn as x_t
_ALIASED = {'_M': _M, '_T': _T, '_T10': _T10, '_V': _V, '_a': _a, '_ab': _ab, '_ab10': _ab10, '_b': _b, '_b10': _b10, '_beta': _beta, '_betas': _betas, '_c': _c, '_calls': _calls, '_cb': _cb, '_chain': _chain, '_clipped': _clipped, '_cols': _cols, '_corr': _corr, '_cost': _cost, '_counts': _counts, '_e': _e, '_ei': _ei, '_eps': _eps, '_exact': _exact, '_exp': _exp, '_expected': _expected, '_expected_count': _expected_count, '_expi': _expi, '_f': _f, '_first': _first, '_flat': _flat, '_fr': _fr, '_given': _given, '_got': _got, '_guess': _guess, '_half': _half, '_img': _img, '_inputs': _inputs, '_k': _k, '_knows': _knows, '_l': _l, '_last': _last, '_lin': _lin, '_loss': _loss, '_mean': _mean, '_mean2': _mean2, '_model': _model, '_n': _n, '_net': _net, '_noise': _noise, '_noises': _noises, '_one': _one, '_out': _out, '_p': _p, '_point': _point, '_previous': _previous, '_prod': _prod, '_r': _r, '_record': _record, '_rows': _rows, '_running': _running, '_s': _s, '_s10': _s10, '_s32': _s32, '_seen': _seen, '_shape': _shape, '_sigma': _sigma, '_sigma2': _sigma2, '_slope': _slope, '_spy': _spy, '_starts': _starts, '_steps': _steps, '_t': _t, '_t3': _t3, '_ti': _ti, '_ts': _ts, '_tt': _tt, '_v': _v, '_var': _var, '_w1': _w1, '_x': _x, '_x0': _x0, '_x2': _x2, '_x3': _x3, '_xT': _xT, '_xg': _xg, '_xi': _xi, '_xs': _xs, '_xt': _xt, '_y': _y, '_z': _z, '_zero': _zero, 'c': c, 'x_t': x_t}


def _aliases_intact():
    rebound = [name for name, now in (('_M', _M), ('_T', _T), ('_T10', _T10), ('_V', _V), ('_a', _a), ('_ab', _ab), ('_ab10', _ab10), ('_b', _b), ('_b10', _b10), ('_beta', _beta), ('_betas', _betas), ('_c', _c), ('_calls', _calls), ('_cb', _cb), ('_chain', _chain), ('_clipped', _clipped), ('_cols', _cols), ('_corr', _corr), ('_cost', _cost), ('_counts', _counts), ('_e', _e), ('_ei', _ei), ('_eps', _eps), ('_exact', _exact), ('_exp', _exp), ('_expected', _expected), ('_expected_count', _expected_count), ('_expi', _expi), ('_f', _f), ('_first', _first), ('_flat', _flat), ('_fr', _fr), ('_given', _given), ('_got', _got), ('_guess', _guess), ('_half', _half), ('_img', _img), ('_inputs', _inputs), ('_k', _k), ('_knows', _knows), ('_l', _l), ('_last', _last), ('_lin', _lin), ('_loss', _loss), ('_mean', _mean), ('_mean2', _mean2), ('_model', _model), ('_n', _n), ('_net', _net), ('_noise', _noise), ('_noises', _noises), ('_one', _one), ('_out', _out), ('_p', _p), ('_point', _point), ('_previous', _previous), ('_prod', _prod), ('_r', _r), ('_record', _record), ('_rows', _rows), ('_running', _running), ('_s', _s), ('_s10', _s10), ('_s32', _s32), ('_seen', _seen), ('_shape', _shape), ('_sigma', _sigma), ('_sigma2', _sigma2), ('_slope', _slope), ('_spy', _spy), ('_starts', _starts), ('_steps', _steps), ('_t', _t), ('_t3', _t3), ('_ti', _ti), ('_ts', _ts), ('_tt', _tt), ('_v', _v), ('_var', _var), ('_w1', _w1), ('_x', _x), ('_x0', _x0), ('_x2', _x2), ('_x3', _x3), ('_xT', _xT), ('_xg', _xg), ('_xi', _xi), ('_xs', _xs), ('_xt', _xt), ('_y', _y), ('_z', _z), ('_zero', _zero), ('c', c), ('x_t', x_t)) if now is not _ALIASED[name]]
    assert not rebound, f"a test cell rebound the student's names {rebound}"


def compute_alpha_bars(betas):
    """alpha_bar_t = prod_{s <= t} (1 - beta_s) for t = 0, ..., T; betas[0] = 0, so the result starts with 1."""
    _aliases_intact()
    return torch.cumprod(1.0 - betas, dim=0)


def cosine_betas(T, s=0.008, max_beta=0.999):
    """The cosine schedule of Nichol and Dhariwal (2021): float32 tensor [T + 1] with betas[0] = 0."""
    _aliases_intact()
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bars = f / f[0]
    betas = (1.0 - alpha_bars[1:] / alpha_bars[:-1]).clamp(max=max_beta)
    return torch.cat([torch.zeros(1, dtype=torch.float64), betas]).float()

# %% q_sample__solution
def q_sample(x0, t, noise, schedule):
    """x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise, with t of shape [B] broadcast over each row."""
    _aliases_intact()
    alpha_bar = schedule.alpha_bars[t].reshape(-1, *([1] * (x0.dim() - 1)))
    return alpha_bar.sqrt() * x0 + (1.0 - alpha_bar).sqrt() * noise

# %% loss__solution
def diffusion_loss(model, x0, schedule):
    """The simple loss: mean squared error between fresh noise and the model's guess of it at a random t per row."""
    _aliases_intact()
    t = torch.randint(1, schedule.T + 1, (x0.shape[0],), device=x0.device)
    noise = torch.randn_like(x0)
    return F.mse_loss(model(q_sample(x0, t, noise, schedule), t), noise)

# %% p_step__solution
def p_sample_step(model, x_t, t, schedule, noise):
    """One ancestral step x_t -> x_(t-1) with the posterior variance; no noise at t = 1."""
    _aliases_intact()
    eps = model(x_t, torch.full((x_t.shape[0],), t, dtype=torch.long, device=x_t.device))
    beta, alpha, alpha_bar = schedule.betas[t], schedule.alphas[t], schedule.alpha_bars[t]
    mean = (x_t - beta / (1.0 - alpha_bar).sqrt() * eps) / alpha.sqrt()
    if t == 1:
        return mean
    variance = (1.0 - schedule.alpha_bars[t - 1]) / (1.0 - alpha_bar) * beta
    return mean + variance.sqrt() * noise

# %% ddpm__solution
def ddpm_sample(model, shape, schedule):
    """Ancestral sampling: x_T ~ N(0, I), then p_sample_step for t = T, ..., 1; returns x_0."""
    _aliases_intact()
    with torch.no_grad():
        x = torch.randn(shape, device=schedule.betas.device, dtype=schedule.betas.dtype)
        for t in range(schedule.T, 0, -1):
            x = p_sample_step(model, x, t, schedule, torch.randn_like(x))
    return x

# %% ddim__solution
def ddim_sample(model, x_T, schedule, timesteps):
    """Deterministic DDIM sampling along the decreasing timesteps, then to t = 0; returns x_0."""
    _aliases_intact()
    steps = list(timesteps) + [0]
    x = x_T
    with torch.no_grad():
        for t, s in zip(steps[:-1], steps[1:]):
            eps = model(x, torch.full((x.shape[0],), t, dtype=torch.long, device=x.device))
            x0_hat = (x - (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alpha_bars[t].sqrt()
            x = schedule.alpha_bars[s].sqrt() * x0_hat + (1.0 - schedule.alpha_bars[s]).sqrt() * eps
    return x
