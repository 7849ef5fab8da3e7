# Ignores n_samples and always draws 64 values of eps, although step 1 says to draw n_samples values.
# kind: contract-requirement
# replaces: elbo_adam__solution
# loses: elbo_adam__history
# tells: it always draws a fixed number of values of eps instead of n_samples, so the argument has no effect
# tells: on the noise of the ELBO estimate. Use the arguments the function is given.
import math

import torch
import torch.nn.functional as F


def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    log_sigma = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    constant = 0.5 * math.log(2 * math.pi * math.e)
    for _ in range(n_steps):
        eps = torch.randn(64)
        z = mu + log_sigma.exp() * eps
        elbo = (log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)).mean() + log_sigma + constant
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        history.append(elbo.item())
    return mu.item(), log_sigma.exp().item(), history
