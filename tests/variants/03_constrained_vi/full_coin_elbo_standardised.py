# Substitutes z = mu + sigma u: integrates phi(u) log p(D, mu + sigma u) du, adds the closed-form entropy,
# and takes the log prior from prior_unconstrained.log_prob; correct.
# kind: style
# replaces: coin_elbo__solution
import math

import torch


def coin_elbo(mu, sigma, flips, n_points=2001):
    mu, sigma = torch.broadcast_tensors(torch.as_tensor(mu, dtype=torch.float32),
                                        torch.as_tensor(sigma, dtype=torch.float32))
    u = torch.linspace(-8.0, 8.0, n_points)
    weights = torch.distributions.Normal(0.0, 1.0).log_prob(u).exp()
    z = mu.unsqueeze(-1) + sigma.unsqueeze(-1) * u            # (*S, n_points)
    log_joint = log_likelihood(z, flips) + prior_unconstrained.log_prob(z)
    expected_log_joint = torch.trapezoid(weights * log_joint, u, dim=-1)
    return expected_log_joint + torch.log(sigma) + 0.5 * math.log(2 * math.pi * math.e)
