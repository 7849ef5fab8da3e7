# Builds the reconstruction term from torch.distributions.Bernoulli(logits=...) (validation off for grey pixels).
# kind: style
# replaces: neg_elbo__solution
import torch


def negative_elbo(x, logits, mu, log_var):
    likelihood = torch.distributions.Bernoulli(logits=logits, validate_args=False)
    log_px = likelihood.log_prob(x).flatten(start_dim=1).sum(dim=1)
    return -log_px + kl_to_standard_normal(mu, log_var)
