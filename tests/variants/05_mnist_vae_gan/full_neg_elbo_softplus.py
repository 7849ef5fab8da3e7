# Writes the per-pixel BCE as softplus(l) - x * l and sums it over all but the first dimension.
# kind: style
# replaces: neg_elbo__solution
import torch
import torch.nn.functional as F


def negative_elbo(x, logits, mu, log_var):
    per_pixel = F.softplus(logits) - x * logits
    dims = tuple(range(1, x.dim()))
    return per_pixel.sum(dim=dims) + kl_to_standard_normal(mu, log_var)
