# Uses Exponential(theta).rsample (reparameterised) and log_prob, ignoring the generator (global RNG); correct.
# kind: style
# replaces: mc_elbo__solution
import torch


def elbo_monte_carlo(theta, x, lam, num_samples, generator=None):
    q = torch.distributions.Exponential(theta)
    z = q.rsample((num_samples,))
    return (log_joint(z, x, lam) - q.log_prob(z)).mean()
