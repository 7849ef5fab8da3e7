# Computes the running products with in-place operations on betas, which turns the caller's betas into alphas.
# kind: procedure
# caught: visible
# replaces: schedule__solution
# loses: schedule__tests ddpm__trend
# tells: it computes 1 - betas in place, so the betas the caller keeps (in the Schedule) become the alphas and every
# tells: later step uses wrong noise levels. Revisit the contract: return a new tensor and leave betas unchanged.
import math

import torch


def compute_alpha_bars(betas):
    return betas.neg_().add_(1.0).cumprod(0)


def cosine_betas(T, s=0.008, max_beta=0.999):
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bars = f / f[0]
    betas = (1.0 - alpha_bars[1:] / alpha_bars[:-1]).clamp(max=max_beta)
    return torch.cat([torch.zeros(1, dtype=torch.float64), betas]).float()
