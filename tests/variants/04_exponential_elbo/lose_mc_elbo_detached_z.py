# Reparameterises but detaches z "to be safe": the gradient then only sees the explicit theta in log q.
# replaces: mc_elbo__solution
# loses: mc_elbo__gradient
import torch


def elbo_monte_carlo(theta, x, lam, num_samples, generator=None):
    eps = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator)
    z = (eps / theta).detach()
    log_q = torch.log(theta) - theta * z
    return (log_joint(z, x, lam) - log_q).mean()
