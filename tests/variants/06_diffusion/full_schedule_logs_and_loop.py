# Sums logarithms for the running product, and builds the cosine betas in a Python loop with math.cos.
# kind: style
# replaces: schedule__solution
import math

import torch


def compute_alpha_bars(betas):
    return torch.exp(torch.cumsum(torch.log1p(-betas), dim=0))


def cosine_betas(T, s=0.008, max_beta=0.999):
    def f(step):
        return math.cos((step / T + s) / (1 + s) * math.pi / 2) ** 2

    values = [0.0]
    for step in range(1, T + 1):
        values.append(min(1.0 - (f(step) / f(0)) / (f(step - 1) / f(0)), max_beta))
    return torch.tensor(values, dtype=torch.float32)
