# Correct for single floats, but converts mu and sigma with float(...), so a batch of (mu, sigma) raises.
# replaces: coin_elbo__solution
# loses: coin_elbo__batched
# tells: it is right for single numbers but turns mu and sigma into Python floats, so a batch of (mu, sigma)
# tells: values fails. The grid needs one column per pair, integrated along the grid dimension, so that
# tells: tensors of any shape S work.
import torch


def coin_elbo(mu, sigma, flips, n_points=2001):
    mu, sigma = float(mu), float(sigma)
    z = torch.linspace(mu - 8 * sigma, mu + 8 * sigma, n_points)
    log_q = dist.Normal(mu, sigma).log_prob(z)
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.trapezoid(log_q.exp() * (log_joint - log_q), z)
