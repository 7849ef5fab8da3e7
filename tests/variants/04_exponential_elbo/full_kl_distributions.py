# Uses torch.distributions.Exponential(theta).log_prob and writes out the trapezoid sum by hand; correct.
# kind: style
# replaces: kl__solution
import torch


def kl_to_posterior_numerical(theta, z_grid, log_posterior):
    q = torch.distributions.Exponential(torch.as_tensor(float(theta), dtype=torch.float64))
    log_q = q.log_prob(z_grid)
    integrand = torch.exp(log_q) * (log_q - log_posterior)
    return ((z_grid[1:] - z_grid[:-1]) * (integrand[1:] + integrand[:-1]) / 2).sum()
