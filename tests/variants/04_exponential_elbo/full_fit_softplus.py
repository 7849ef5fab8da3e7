# Keeps theta positive with theta = softplus(raw) instead of exp, sets p.grad = None by hand; correct.
# kind: style
# replaces: fit__solution
import math

import torch
import torch.nn.functional as F


def fit_theta(elbo_fn, x, lam, theta_init=1.0, num_steps=300, num_samples=512, lr=0.1, generator=None):
    raw = torch.tensor(math.log(math.expm1(theta_init)), dtype=torch.float64, requires_grad=True)  # softplus^-1
    optimizer = torch.optim.Adam([raw], lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, num_steps)
    history = []
    for step in range(num_steps):
        raw.grad = None
        (-elbo_fn(F.softplus(raw), x, lam, num_samples, generator=generator)).backward()
        optimizer.step()
        scheduler.step()
        history.append(F.softplus(raw).item())
    tail = history[num_steps - num_steps // 2:]
    return float(sum(tail) / len(tail)), history
