# Drops the offset s from the cosine: f(t) = cos^2(t / T * pi / 2).
# kind: procedure
# caught: visible
# replaces: schedule__solution
# loses: schedule__tests
# tells: it leaves out the offset s in f(t) = cos^2((t / T + s) / (1 + s) * pi / 2), which changes every alpha_bar_t
# tells: and makes beta_1 vanishingly small. Revisit the cosine schedule's formula: s is an argument, use it.
import math

import torch


def compute_alpha_bars(betas):
    return torch.cumprod(1.0 - betas, dim=0)


def cosine_betas(T, s=0.008, max_beta=0.999):
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos(t / T * math.pi / 2) ** 2
    alpha_bars = f / f[0]
    betas = (1.0 - alpha_bars[1:] / alpha_bars[:-1]).clamp(max=max_beta)
    return torch.cat([torch.zeros(1, dtype=torch.float64), betas]).float()
