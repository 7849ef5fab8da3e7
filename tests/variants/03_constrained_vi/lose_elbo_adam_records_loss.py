# Fits correctly but records the loss -ELBO instead of the ELBO in the history.
# replaces: elbo_adam__solution
# loses: elbo_adam__history
# tells: it records the loss, minus the ELBO, in the history instead of the ELBO itself, so every entry has
# tells: the wrong sign. The optimiser minimises -ELBO, but the history holds the ELBO estimates.
import math

import torch


def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    log_sigma = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    for _ in range(n_steps):
        z = mu + log_sigma.exp() * torch.randn(n_samples)
        elbo = (log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)).mean() + log_sigma \
            + 0.5 * math.log(2 * math.pi * math.e)
        loss = -elbo
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        history.append(loss.item())
    return mu.item(), log_sigma.exp().item(), history
