# Treats log_var as log(sigma) instead of log(sigma^2): sigma^2 = exp(2 log_var) and log sigma^2 = 2 log_var.
# kind: pitfall
# caught: visible
# replaces: kl__solution
# loses: kl__tests neg_elbo__tests vae_step__mechanics
# tells: it treats log_var as log sigma instead of log sigma^2, so the variance comes out as the square of
# tells: exp(log_var). In this notebook log_var always holds the log of the variance; revisit the closed form
# tells: with sigma^2 = exp(log_var).
import torch


def kl_to_standard_normal(mu, log_var):
    return 0.5 * (torch.exp(2 * log_var) + mu ** 2 - 1.0 - 2 * log_var).sum(dim=-1)
