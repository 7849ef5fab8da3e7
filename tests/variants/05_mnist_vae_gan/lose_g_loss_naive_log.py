# Computes -mean log(sigmoid(logits)) in two steps, which is inf once sigmoid underflows to 0.
# kind: pitfall
# replaces: g_loss__solution
# loses: g_loss__tests
import torch


def generator_loss(fake_logits):
    return -torch.log(torch.sigmoid(fake_logits)).mean()
