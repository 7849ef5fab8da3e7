# Averages the binary cross-entropy over the pixels of each image instead of summing it.
# kind: pitfall
# caught: visible
# replaces: neg_elbo__solution
# loses: neg_elbo__tests vae_step__mechanics
# tells: it averages the binary cross-entropy over the pixels of each image instead of summing it, which
# tells: divides the reconstruction term by the number of pixels so that the KL term dominates. The pixels are
# tells: independent given z, so their log-likelihoods add up.
import torch
import torch.nn.functional as F


def negative_elbo(x, logits, mu, log_var):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return bce.reshape(bce.shape[0], -1).mean(dim=1) + kl_to_standard_normal(mu, log_var)
