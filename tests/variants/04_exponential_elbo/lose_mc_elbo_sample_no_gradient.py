# Draws z with .sample() from Exponential(theta): the value is unbiased, but no gradient flows through the samples.
# kind: pitfall
# caught: visible
# replaces: mc_elbo__solution
# loses: mc_elbo__gradient
# demo: partial-student
# tells: it draws samples that carry no gradient back to theta (for example with .sample()), so autograd
# tells: treats them as constants and differentiates only the explicit theta in log q. Revisit the
# tells: reparameterisation trick: the samples must be computed from parameter-free noise and theta with torch
# tells: operations.
import torch


def elbo_monte_carlo(theta, x, lam, num_samples, generator=None):
    q = torch.distributions.Exponential(theta)
    z = q.sample((num_samples,))
    return (log_joint(z, x, lam) - q.log_prob(z)).mean()
