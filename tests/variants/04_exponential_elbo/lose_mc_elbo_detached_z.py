# Reparameterises but detaches z "to be safe": the gradient then only sees the explicit theta in log q.
# replaces: mc_elbo__solution
# loses: mc_elbo__gradient
# tells: its value is right, but it detaches the samples from theta, so the gradient sees only the explicit
# tells: theta in log q and misses the path through the samples. The reparameterisation trick needs the
# tells: samples to stay in the autograd graph.
import torch


def elbo_monte_carlo(theta, x, lam, num_samples, generator=None):
    eps = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator)
    z = (eps / theta).detach()
    log_q = torch.log(theta) - theta * z
    return (log_joint(z, x, lam) - log_q).mean()
