# Keeps Adam's learning rate constant (no CosineAnnealingLR), although the task prescribes a cosine decay to 0.
# kind: procedure
# replaces: fit__solution
# loses: fit__tests
# tells: it keeps Adam's learning rate constant; the task prescribes a cosine decay to zero
# tells: (CosineAnnealingLR, stepped once after every optimiser step), which tames the jitter that noisy
# tells: gradients cause near the optimum.
import math

import torch


def fit_theta(elbo_fn, x, lam, theta_init=1.0, num_steps=300, num_samples=512, lr=0.1, generator=None):
    rho = torch.tensor(math.log(theta_init), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([rho], lr=lr)
    history = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = -elbo_fn(torch.exp(rho), x, lam, num_samples, generator=generator)
        loss.backward()
        optimizer.step()
        history.append(math.exp(rho.item()))
    last_half = history[num_steps - num_steps // 2:]
    return float(sum(last_half) / len(last_half)), history
