# Feeds probabilities sigmoid(logits) to binary_cross_entropy_with_logits, which applies a second sigmoid.
# replaces: d_loss__solution
# loses: d_loss__tests gan_step__mechanics
# tells: it passes probabilities (the sigmoid of the logits) to a loss that expects logits, so a second
# tells: sigmoid is applied inside and the loss is wrong. The loss functions with logits take the raw logits.
import torch
import torch.nn.functional as F


def discriminator_loss(real_logits, fake_logits):
    real_p, fake_p = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)
    return (F.binary_cross_entropy_with_logits(real_p, torch.ones_like(real_p))
            + F.binary_cross_entropy_with_logits(fake_p, torch.zeros_like(fake_p)))
