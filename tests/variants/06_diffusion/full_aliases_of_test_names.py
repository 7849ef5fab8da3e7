# The reference solution, with every name the test cells use bound by the student as a module-level
# import alias and checked inside every graded function: tests must leave the student's names alone.
# Written by tests/make_alias_variants.py from the master; run it again when the tests' names change.
# kind: namespace
# replaces: schedule__solution q_sample__solution loss__solution p_step__solution ddpm__solution ddim__solution
# %% schedule__solution
import math as _M
import torch as _T
import numpy as _V
from torch import nn as _a
from torch import distributions as _ab
import math as _b
import torch as _beta
import numpy as _betas
from torch import nn as _c
from torch import distributions as _calls
import math as _cb
import torch as _clipped
import numpy as _cols
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
import math as _fr
import torch as _got
import numpy as _guess
from torch import nn as _half
from torch import distributions as _img
import math as _k
import torch as _knows
import numpy as _l
from torch import nn as _last
from torch import distributions as _lin
import math as _loss
import torch as _mean
import numpy as _mean2
from torch import nn as _model
import numpy as _n
import math as _net
import torch as _noise
import numpy as _one
from torch import nn as _out
from torch import distributions as _p
import math as _point
import torch as _prod
import numpy as _rows
from torch import nn as _running
from torch import distributions as _s
import math as _s32
import torch as _seen
import numpy as _shape
from torch import nn as _sigma2
from torch import distributions as _slope
import math as _spy
import torch as _steps
import torch as _t
from torch import nn as _ti
from torch import distributions as _ts
import math as _tt
import torch as _v
import numpy as _var
from torch import nn as _w1
from torch import distributions as _x
import math as _x0
import torch as _x2
import numpy as _xT
from torch import nn as _xg
from torch import distributions as _xi
import math as _xs
import torch as _xt
import numpy as _y
from torch import nn as _z
from torch import distributions as _zero
import math as c
import torch as x_t
_ALIASED = {'_M': _M, '_T': _T, '_V': _V, '_a': _a, '_ab': _ab, '_b': _b, '_beta': _beta, '_betas': _betas, '_c': _c, '_calls': _calls, '_cb': _cb, '_clipped': _clipped, '_cols': _cols, '_cost': _cost, '_counts': _counts, '_e': _e, '_ei': _ei, '_eps': _eps, '_exact': _exact, '_exp': _exp, '_expected': _expected, '_expected_count': _expected_count, '_expi': _expi, '_f': _f, '_first': _first, '_fr': _fr, '_got': _got, '_guess': _guess, '_half': _half, '_img': _img, '_k': _k, '_knows': _knows, '_l': _l, '_last': _last, '_lin': _lin, '_loss': _loss, '_mean': _mean, '_mean2': _mean2, '_model': _model, '_n': _n, '_net': _net, '_noise': _noise, '_one': _one, '_out': _out, '_p': _p, '_point': _point, '_prod': _prod, '_rows': _rows, '_running': _running, '_s': _s, '_s32': _s32, '_seen': _seen, '_shape': _shape, '_sigma2': _sigma2, '_slope': _slope, '_spy': _spy, '_steps': _steps, '_t': _t, '_ti': _ti, '_ts': _ts, '_tt': _tt, '_v': _v, '_var': _var, '_w1': _w1, '_x': _x, '_x0': _x0, '_x2': _x2, '_xT': _xT, '_xg': _xg, '_xi': _xi, '_xs': _xs, '_xt': _xt, '_y': _y, '_z': _z, '_zero': _zero, 'c': c, 'x_t': x_t}


def _aliases_intact():
    rebound = [name for name, now in (('_M', _M), ('_T', _T), ('_V', _V), ('_a', _a), ('_ab', _ab), ('_b', _b), ('_beta', _beta), ('_betas', _betas), ('_c', _c), ('_calls', _calls), ('_cb', _cb), ('_clipped', _clipped), ('_cols', _cols), ('_cost', _cost), ('_counts', _counts), ('_e', _e), ('_ei', _ei), ('_eps', _eps), ('_exact', _exact), ('_exp', _exp), ('_expected', _expected), ('_expected_count', _expected_count), ('_expi', _expi), ('_f', _f), ('_first', _first), ('_fr', _fr), ('_got', _got), ('_guess', _guess), ('_half', _half), ('_img', _img), ('_k', _k), ('_knows', _knows), ('_l', _l), ('_last', _last), ('_lin', _lin), ('_loss', _loss), ('_mean', _mean), ('_mean2', _mean2), ('_model', _model), ('_n', _n), ('_net', _net), ('_noise', _noise), ('_one', _one), ('_out', _out), ('_p', _p), ('_point', _point), ('_prod', _prod), ('_rows', _rows), ('_running', _running), ('_s', _s), ('_s32', _s32), ('_seen', _seen), ('_shape', _shape), ('_sigma2', _sigma2), ('_slope', _slope), ('_spy', _spy), ('_steps', _steps), ('_t', _t), ('_ti', _ti), ('_ts', _ts), ('_tt', _tt), ('_v', _v), ('_var', _var), ('_w1', _w1), ('_x', _x), ('_x0', _x0), ('_x2', _x2), ('_xT', _xT), ('_xg', _xg), ('_xi', _xi), ('_xs', _xs), ('_xt', _xt), ('_y', _y), ('_z', _z), ('_zero', _zero), ('c', c), ('x_t', x_t)) if now is not _ALIASED[name]]
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
