# Takes one mean over the concatenated real and fake logits (half the stated loss for equal batch sizes).
# replaces: d_loss__solution
# loses: d_loss__tests gan_step__mechanics
# tells: it takes one mean over the real and the fake logits together, so each batch counts with its size and
# tells: for equal batch sizes the loss is half the stated one. The discriminator loss is the sum of two
# tells: means, one over the real batch and one over the fake batch.
import torch
import torch.nn.functional as F


def discriminator_loss(real_logits, fake_logits):
    logits = torch.cat([real_logits.reshape(-1), fake_logits.reshape(-1)])
    targets = torch.cat([torch.ones(real_logits.numel()), torch.zeros(fake_logits.numel())]).to(logits)
    return F.binary_cross_entropy_with_logits(logits, targets)
