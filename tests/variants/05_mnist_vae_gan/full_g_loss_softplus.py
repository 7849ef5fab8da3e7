# Writes the non-saturating loss as mean softplus(-s) on the flattened logits.
# kind: style
# replaces: g_loss__solution
import torch.nn.functional as F


def generator_loss(fake_logits):
    return F.softplus(-fake_logits.reshape(-1)).mean()
