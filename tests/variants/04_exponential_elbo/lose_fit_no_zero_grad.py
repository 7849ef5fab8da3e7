# Never calls optimizer.zero_grad(), so every step uses the sum of all gradients so far.
# kind: procedure
# replaces: fit__solution
# loses: fit__tests
# tells: it never zeroes the gradients, so every backward() adds to the gradients of all earlier steps and
# tells: each step follows their running sum. Reset the gradients before every backward pass.
import math

import torch


def fit_theta(elbo_fn, x, lam, theta_init=1.0, num_steps=300, num_samples=512, lr=0.1, generator=None):
    rho = torch.tensor(math.log(theta_init), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([rho], lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, num_steps)
    history = []
    for _ in range(num_steps):
        loss = -elbo_fn(torch.exp(rho), x, lam, num_samples, generator=generator)
        loss.backward()
        optimizer.step()
        scheduler.step()
        history.append(math.exp(rho.item()))
    theta_hat = sum(history[num_steps // 2:]) / len(history[num_steps // 2:])
    return theta_hat, history
