# Same quadrature in float64, with the prior written as -softplus(-z) - softplus(z), returned as float64; correct.
# kind: style
# replaces: coin_elbo__solution
import torch
import torch.nn.functional as F


def coin_elbo(mu, sigma, flips, n_points=2001):
    mu = torch.as_tensor(mu, dtype=torch.float64)
    sigma = torch.as_tensor(sigma, dtype=torch.float64)
    u = torch.linspace(-8.0, 8.0, n_points, dtype=torch.float64)
    u = u.view(n_points, *([1] * mu.dim()))
    z = mu + sigma * u
    log_q = torch.distributions.Normal(mu, sigma).log_prob(z)
    log_joint = log_likelihood(z, flips.double()) - F.softplus(-z) - F.softplus(z)
    return torch.trapezoid(torch.exp(log_q) * (log_joint - log_q), z, dim=0)
