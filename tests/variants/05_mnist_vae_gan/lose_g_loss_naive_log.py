# Computes -mean log(sigmoid(logits)) in two steps, which is inf once sigmoid underflows to 0.
# kind: pitfall
# caught: visible
# replaces: g_loss__solution
# loses: g_loss__tests
# tells: it takes the logarithm of the sigmoid of the logits in two steps, which gives infinity once sigmoid
# tells: underflows to 0, that is when the discriminator confidently rejects the fakes. Compute the loss from
# tells: the logits with a stable function (softplus, logsigmoid or the BCE with logits).
import torch


def generator_loss(fake_logits):
    return -torch.log(torch.sigmoid(fake_logits)).mean()
