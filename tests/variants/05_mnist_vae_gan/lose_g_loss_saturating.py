# Minimises the minimax objective mean log(1 - D(G(z))), which saturates when D rejects the fakes.
# kind: pitfall
# caught: visible
# replaces: g_loss__solution
# loses: g_loss__tests gan_step__mechanics
# demo: partial-student
# tells: it minimises the minimax loss mean log(1 - D(G(z))) instead of the non-saturating -mean log D(G(z));
# tells: its gradient vanishes exactly when the discriminator confidently rejects the fakes. Revisit why the
# tells: generator wants its images to be called real (target 1).
import torch
import torch.nn.functional as F


def generator_loss(fake_logits):
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
