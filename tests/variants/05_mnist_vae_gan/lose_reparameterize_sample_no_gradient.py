# Draws z with torch.distributions.Normal(...).sample(), which has the right distribution but no gradient.
# kind: pitfall
# caught: visible
# replaces: reparameterize__solution
# loses: reparameterize__tests
# tells: it draws z with the sample method of a Normal distribution: the values have the right distribution,
# tells: but sampling cuts the graph, so no gradient reaches mu and log_var. Revisit the reparameterisation
# tells: trick: z is built from mu, sigma and separately drawn noise.
import torch


def reparameterize(mu, log_var):
    return torch.distributions.Normal(mu, torch.exp(0.5 * log_var)).sample()
