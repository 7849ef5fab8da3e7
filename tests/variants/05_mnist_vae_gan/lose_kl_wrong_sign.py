# Returns the negated KL divergence (the sign of the ELBO's KL term carried into the divergence).
# replaces: kl__solution
# loses: kl__tests neg_elbo__tests vae_step__mechanics vae_step__trend
# tells: it returns minus the KL divergence, carrying the minus sign of the ELBO's KL term into the divergence
# tells: itself. A KL divergence is never negative: every term of the closed form is at least 0.
import torch


def kl_to_standard_normal(mu, log_var):
    return 0.5 * (1.0 + log_var - mu ** 2 - torch.exp(log_var)).sum(dim=-1)
