# Subtracts the KL term (the sign of the ELBO) instead of adding it to the reconstruction loss.
# replaces: neg_elbo__solution
# loses: neg_elbo__tests vae_step__mechanics vae_step__trend
# tells: it subtracts the KL term instead of adding it. The ELBO is the reconstruction term minus the KL, so
# tells: the negative ELBO is the reconstruction loss plus the KL.
import torch
import torch.nn.functional as F


def negative_elbo(x, logits, mu, log_var):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return bce.reshape(bce.shape[0], -1).sum(dim=1) - kl_to_standard_normal(mu, log_var)
