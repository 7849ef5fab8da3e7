# Returns the last theta instead of the average over the last num_steps // 2 steps that the task asks for.
# kind: contract-requirement
# replaces: fit__solution
# loses: fit__tests
# tells: it returns the last theta instead of the average of theta over the second half of the steps (iterate
# tells: averaging), which cancels much of the remaining jitter.
import math

import torch


def fit_theta(elbo_fn, x, lam, theta_init=1.0, num_steps=300, num_samples=512, lr=0.1, generator=None):
    rho = torch.tensor(math.log(theta_init), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([rho], lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, num_steps)
    history = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = -elbo_fn(torch.exp(rho), x, lam, num_samples, generator=generator)
        loss.backward()
        optimizer.step()
        scheduler.step()
        history.append(math.exp(rho.item()))
    return float(history[-1]), history
