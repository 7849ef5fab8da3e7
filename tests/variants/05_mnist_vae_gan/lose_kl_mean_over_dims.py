# Averages the per-dimension divergences instead of summing them.
# replaces: kl__solution
# loses: kl__tests neg_elbo__tests vae_step__mechanics
import torch


def kl_to_standard_normal(mu, log_var):
    return 0.5 * (torch.exp(log_var) + mu ** 2 - 1.0 - log_var).mean(dim=-1)
