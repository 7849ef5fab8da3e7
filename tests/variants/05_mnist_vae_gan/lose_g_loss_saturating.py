# Minimises the minimax objective mean log(1 - D(G(z))), which saturates when D rejects the fakes.
# replaces: g_loss__solution
# loses: g_loss__tests gan_step__mechanics
# demo: partial-student
import torch
import torch.nn.functional as F


def generator_loss(fake_logits):
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
