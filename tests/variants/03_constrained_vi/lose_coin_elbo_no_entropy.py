# Integrates only q(z) log p(D, z): the entropy term -E_q[log q] is missing.
# replaces: coin_elbo__solution
# loses: coin_elbo__identity coin_elbo__batched
# tells: it integrates only q(z) times the log joint and leaves out the -log q(z) part (the entropy of q).
# tells: Revisit the definition of the ELBO: the expectation under q of log p(D, z) minus log q(z).
import torch


def coin_elbo(mu, sigma, flips, n_points=2001):
    mu = torch.as_tensor(mu, dtype=torch.get_default_dtype())
    sigma = torch.as_tensor(sigma, dtype=torch.get_default_dtype())
    u = torch.linspace(-8.0, 8.0, n_points).reshape(-1, *([1] * mu.dim()))
    z = mu + sigma * u
    q_density = dist.Normal(mu, sigma).log_prob(z).exp()
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.trapezoid(q_density * log_joint, z, dim=0)
