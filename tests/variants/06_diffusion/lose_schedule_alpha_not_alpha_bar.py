# Returns the factors alpha_t = 1 - beta_t of single steps instead of their running products alpha_bar_t.
# kind: pitfall
# caught: visible
# replaces: schedule__solution
# loses: schedule__tests loss__trend loss__mnist
# tells: it returns alpha_t = 1 - beta_t, the factor of one step, where alpha_bar_t, the product of all the
# tells: factors up to step t, is asked for. Revisit the induction of section 1: the signal left after t steps is
# tells: the product sqrt(alpha_1 ... alpha_t), not the last factor alone.
import math

import torch


def compute_alpha_bars(betas):
    return 1.0 - betas


def cosine_betas(T, s=0.008, max_beta=0.999):
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bars = f / f[0]
    betas = (1.0 - alpha_bars[1:] / alpha_bars[:-1]).clamp(max=max_beta)
    return torch.cat([torch.zeros(1, dtype=torch.float64), betas]).float()
