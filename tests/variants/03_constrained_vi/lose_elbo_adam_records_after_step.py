# Records the ELBO re-evaluated after the update (same eps, new mu and sigma) instead of the estimate of this step
# before the update, as step 4 prescribes.
# kind: procedure
# replaces: elbo_adam__solution
# loses: elbo_adam__history
# tells: it records the ELBO re-evaluated after the update instead of the estimate of this step computed
# tells: before it. Revisit step 4: the history holds the estimate that the gradient step was taken from.
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

    def estimate(eps):
        z = mu + log_sigma.exp() * eps
        return (log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)).mean() + log_sigma + constant

    for _ in range(n_steps):
        eps = torch.randn(n_samples)
        elbo = estimate(eps)
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            history.append(estimate(eps).item())
    return mu.item(), log_sigma.exp().item(), history
