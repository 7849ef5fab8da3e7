# Draws z with torch.distributions.Normal(...).sample(), which has the right distribution but no gradient.
# replaces: reparameterize__solution
# loses: reparameterize__tests
import torch


def reparameterize(mu, log_var):
    return torch.distributions.Normal(mu, torch.exp(0.5 * log_var)).sample()
