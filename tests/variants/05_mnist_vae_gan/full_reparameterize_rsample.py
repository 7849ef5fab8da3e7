# Uses the reparameterised sampler of torch.distributions.Normal (rsample keeps the gradient).
# kind: style
# replaces: reparameterize__solution
import torch


def reparameterize(mu, log_var):
    return torch.distributions.Normal(mu, torch.exp(0.5 * log_var)).rsample()
