# Computes D(x) = sigmoid(logits) and then the logarithms, which gives inf for confident logits like +-100.
# kind: pitfall
# caught: visible
# replaces: d_loss__solution
# loses: d_loss__tests
# tells: it computes D(x) with a sigmoid and then takes logarithms, which gives infinity (and nan gradients)
# tells: for confident logits such as plus or minus 100, where sigmoid rounds to exactly 0 or 1 in float32.
# tells: Compute the loss from the logits themselves with a stable function (softplus, logsigmoid or the BCE
# tells: with logits).
import torch


def discriminator_loss(real_logits, fake_logits):
    return -torch.log(torch.sigmoid(real_logits)).mean() - torch.log(1 - torch.sigmoid(fake_logits)).mean()
