# Inverse-CDF reparameterisation z = -log(1 - u) / theta with u ~ U[0, 1), and an explicit log joint; correct.
# kind: style
# replaces: mc_elbo__solution
import math

import torch


def elbo_monte_carlo(theta, x, lam, num_samples, generator=None):
    u = torch.rand(num_samples, dtype=torch.float64, generator=generator)
    z = -torch.log1p(-u) / theta
    log_prior = math.log(lam) - lam * z
    log_lik = (-0.5 * (x[None, :] - z[:, None]) ** 2).sum(dim=1) - 0.5 * len(x) * math.log(2 * math.pi)
    log_q = torch.log(theta) - theta * z
    return torch.mean(log_prior + log_lik - log_q)
