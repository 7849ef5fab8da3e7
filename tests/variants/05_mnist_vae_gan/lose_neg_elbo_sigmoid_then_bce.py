# Applies sigmoid to the logits and uses the BCE on probabilities, which clamps log(0) to -100 for extreme logits.
# kind: pitfall
# caught: visible
# replaces: neg_elbo__solution
# loses: neg_elbo__tests
# tells: it applies sigmoid to the logits and then the binary cross-entropy on probabilities, which is wrong
# tells: for confident logits: sigmoid rounds to exactly 0 or 1 and the logarithm is clamped at -100. Compute
# tells: the loss from the logits with the BCE with logits.
import torch
import torch.nn.functional as F


def negative_elbo(x, logits, mu, log_var):
    bce = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="none")
    return bce.reshape(bce.shape[0], -1).sum(dim=1) + kl_to_standard_normal(mu, log_var)
