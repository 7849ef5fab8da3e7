# Parameterises sigma = softplus(rho) instead of exp(log_sigma) (rho starts at softplus^-1(1)); otherwise the same; correct.
# kind: style
# replaces: elbo_adam__solution
import math

import torch
import torch.nn.functional as F


def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    rho = torch.tensor(math.log(math.e - 1.0), requires_grad=True)      # softplus(rho) = 1
    optimizer = torch.optim.Adam([mu, rho], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    for _ in range(n_steps):
        sigma = F.softplus(rho)
        z = mu + sigma * torch.randn(n_samples)
        elbo = (log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)).mean() + torch.log(sigma) \
            + 0.5 * math.log(2 * math.pi * math.e)
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        history.append(elbo.item())
    return mu.item(), F.softplus(rho).item(), history
