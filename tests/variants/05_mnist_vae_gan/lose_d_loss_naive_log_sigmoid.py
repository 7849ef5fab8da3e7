# Computes D(x) = sigmoid(logits) and then the logarithms, which gives inf for confident logits like +-100.
# kind: pitfall
# replaces: d_loss__solution
# loses: d_loss__tests
import torch


def discriminator_loss(real_logits, fake_logits):
    return -torch.log(torch.sigmoid(real_logits)).mean() - torch.log(1 - torch.sigmoid(fake_logits)).mean()
