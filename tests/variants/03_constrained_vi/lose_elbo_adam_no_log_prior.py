# Leaves the log prior out of the log joint (a flat prior in z instead of the logistic one), so it fits the wrong posterior.
# kind: pitfall
# caught: visible
# replaces: elbo_adam__solution
# loses: elbo_adam__fit elbo_adam__history
# tells: it leaves the log prior in z-space out of the log joint, so it fits the posterior for a flat prior in
# tells: z, not for the uniform prior on theta. Revisit section 8: the uniform prior becomes the logistic
# tells: density in z.
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
        elbo = log_likelihood(z, flips).mean() + log_sigma + 0.5 * math.log(2 * math.pi * math.e)
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        history.append(elbo.item())
    return mu.item(), log_sigma.exp().item(), history
