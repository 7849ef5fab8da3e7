# Takes the running product up to step t - 1 (an exclusive cumulative product): alpha_bar is shifted by one step.
# kind: procedure
# caught: visible
# replaces: schedule__solution
# loses: schedule__tests ddpm__trend
# tells: its alpha_bar_t is the product of the factors up to step t - 1, one step short: the index is off by one.
# tells: Revisit the conventions: entry t of every schedule tensor belongs to step t, and alpha_bar_t includes the
# tells: factor 1 - beta_t of step t itself.
import math

import torch


def compute_alpha_bars(betas):
    products = torch.cumprod(1.0 - betas, dim=0)
    return torch.cat([torch.ones(1, dtype=betas.dtype, device=betas.device), products[:-1]])


def cosine_betas(T, s=0.008, max_beta=0.999):
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bars = f / f[0]
    betas = (1.0 - alpha_bars[1:] / alpha_bars[:-1]).clamp(max=max_beta)
    return torch.cat([torch.zeros(1, dtype=torch.float64), betas]).float()
