# Reparameterises as z = eps * theta (theta as the scale), so the samples come from Exp(1/theta), not Exp(theta).
# replaces: mc_elbo__solution
# loses: mc_elbo__value mc_elbo__gradient
# tells: it reparameterises with theta as the scale of the noise, so its samples come from Exp(1/theta), not
# tells: Exp(theta). Revisit how Exp(1) noise is turned into a sample with rate theta.
import torch


def elbo_monte_carlo(theta, x, lam, num_samples, generator=None):
    eps = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator)
    z = eps * theta
    log_q = torch.log(theta) - theta * z
    return (log_joint(z, x, lam) - log_q).mean()
