# Feeds sigmoid(logits), i.e. probabilities, to binary_cross_entropy_with_logits, which applies a second sigmoid.
# replaces: neg_elbo__solution
# loses: neg_elbo__tests vae_step__mechanics vae_step__trend
# tells: it applies sigmoid to the logits and passes these probabilities to the BCE with logits, which applies
# tells: a second sigmoid inside. That loss takes the decoder's raw logits.
import torch
import torch.nn.functional as F


def negative_elbo(x, logits, mu, log_var):
    bce = F.binary_cross_entropy_with_logits(torch.sigmoid(logits), x, reduction="none")
    return bce.reshape(bce.shape[0], -1).sum(dim=1) + kl_to_standard_normal(mu, log_var)
