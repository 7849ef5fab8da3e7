# Minimises the ELBO itself instead of its negative (gradient descent): theta runs away from theta*.
# kind: pitfall
# caught: visible
# replaces: fit__solution
# loses: fit__tests
# tells: it minimises the ELBO itself, so theta moves away from the maximum. PyTorch optimisers minimise: to
# tells: maximise the ELBO, minimise its negative.
import math

import torch


def fit_theta(elbo_fn, x, lam, theta_init=1.0, num_steps=300, num_samples=512, lr=0.1, generator=None):
    rho = torch.tensor(math.log(theta_init), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([rho], lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, num_steps)
    history = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss = elbo_fn(torch.exp(rho), x, lam, num_samples, generator=generator)
        loss.backward()
        optimizer.step()
        scheduler.step()
        history.append(math.exp(rho.item()))
    theta_hat = sum(history[num_steps // 2:]) / len(history[num_steps // 2:])
    return theta_hat, history
