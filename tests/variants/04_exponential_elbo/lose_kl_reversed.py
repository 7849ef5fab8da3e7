# Computes the other direction, KL(posterior || q) = integral of p (log p - log q).
# replaces: kl__solution
# loses: kl__tests
# tells: it computes KL(posterior || q), an expectation under the posterior, instead of KL(q || posterior),
# tells: the expectation under q of log q - log posterior. The divergence is not symmetric, and variational
# tells: inference minimises the one from q.
import torch


def kl_to_posterior_numerical(theta, z_grid, log_posterior):
    theta = torch.as_tensor(theta, dtype=z_grid.dtype)
    log_q = torch.log(theta) - theta * z_grid
    return torch.trapezoid(torch.exp(log_posterior) * (log_posterior - log_q), z_grid)
