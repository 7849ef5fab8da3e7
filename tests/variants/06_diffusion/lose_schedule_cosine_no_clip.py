# Leaves the cosine betas unclipped, so that beta_T = 1 and alpha_bar_T = 0 exactly.
# kind: procedure
# caught: visible
# replaces: schedule__solution
# loses: schedule__tests
# tells: it does not clip the cosine betas at max_beta, so beta_T = 1 - f(T) / f(T - 1) = 1 (f(T) = 0): the last
# tells: step destroys everything, and 1 / sqrt(alpha_T) in the reverse step divides by zero. Revisit why the
# tells: cosine schedule clips beta at 0.999.
import math

import torch


def compute_alpha_bars(betas):
    return torch.cumprod(1.0 - betas, dim=0)


def cosine_betas(T, s=0.008, max_beta=0.999):
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bars = f / f[0]
    betas = 1.0 - alpha_bars[1:] / alpha_bars[:-1]
    return torch.cat([torch.zeros(1, dtype=torch.float64), betas]).float()
