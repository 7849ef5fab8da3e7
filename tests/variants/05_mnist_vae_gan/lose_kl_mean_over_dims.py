# Averages the per-dimension divergences instead of summing them.
# kind: pitfall
# caught: visible
# replaces: kl__solution
# loses: kl__tests neg_elbo__tests vae_step__mechanics
# tells: it averages the divergences of the latent dimensions instead of summing them. The coordinates of a
# tells: diagonal Gaussian are independent, so their KL divergences add up.
import torch


def kl_to_standard_normal(mu, log_var):
    return 0.5 * (torch.exp(log_var) + mu ** 2 - 1.0 - log_var).mean(dim=-1)
