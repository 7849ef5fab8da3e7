# Records theta before each optimiser step (history[0] is theta_init), not "the value of theta after each step".
# kind: procedure
# replaces: fit__solution
# loses: fit__tests
# tells: it records theta before each optimiser step, so its history starts with the starting value and misses
# tells: the last step; the task asks for theta after each step.
import math

import torch


def fit_theta(elbo_fn, x, lam, theta_init=1.0, num_steps=300, num_samples=512, lr=0.1, generator=None):
    rho = torch.tensor(math.log(theta_init), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([rho], lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, num_steps)
    history = []
    for _ in range(num_steps):
        history.append(math.exp(rho.item()))
        optimizer.zero_grad()
        loss = -elbo_fn(torch.exp(rho), x, lam, num_samples, generator=generator)
        loss.backward()
        optimizer.step()
        scheduler.step()
    last_half = history[num_steps - num_steps // 2:]
    return float(sum(last_half) / len(last_half)), history
