# Writes the loss with F.logsigmoid: -mean log sigmoid(s_real) - mean log sigmoid(-s_fake).
# kind: style
# replaces: d_loss__solution
import torch.nn.functional as F


def discriminator_loss(real_logits, fake_logits):
    return -F.logsigmoid(real_logits).mean() - F.logsigmoid(-fake_logits).mean()
