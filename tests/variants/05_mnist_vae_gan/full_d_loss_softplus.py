# Writes the loss with F.softplus, flattening both inputs first.
# kind: style
# replaces: d_loss__solution
import torch.nn.functional as F


def discriminator_loss(real_logits, fake_logits):
    return F.softplus(-real_logits.flatten()).mean() + F.softplus(fake_logits.flatten()).mean()
