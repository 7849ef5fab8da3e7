# Writes the non-saturating loss as -mean logsigmoid(s).
# kind: style
# replaces: g_loss__solution
import torch.nn.functional as F


def generator_loss(fake_logits):
    return -F.logsigmoid(fake_logits).mean()
