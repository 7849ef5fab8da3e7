# Averages only log p(x, z) and forgets the -log q(z) term (the entropy of q).
# replaces: mc_elbo__solution
# loses: mc_elbo__value mc_elbo__gradient
# tells: it averages only log p(x, z) and leaves out the -log q(z) term, so it estimates the expected log
# tells: joint, not the ELBO: the entropy of q is missing, and with it what stops q from collapsing.
import torch


def elbo_monte_carlo(theta, x, lam, num_samples, generator=None):
    eps = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator)
    z = eps / theta
    return log_joint(z, x, lam).mean()
