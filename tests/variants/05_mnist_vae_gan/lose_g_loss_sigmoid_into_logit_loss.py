# Feeds sigmoid(logits) to binary_cross_entropy_with_logits, which applies a second sigmoid.
# replaces: g_loss__solution
# loses: g_loss__tests gan_step__mechanics
# tells: it passes probabilities (the sigmoid of the logits) to a loss that expects logits, so a second
# tells: sigmoid is applied inside and the loss is wrong. The loss functions with logits take the raw logits.
import torch
import torch.nn.functional as F


def generator_loss(fake_logits):
    probs = torch.sigmoid(fake_logits)
    return F.binary_cross_entropy_with_logits(probs, torch.ones_like(probs))
