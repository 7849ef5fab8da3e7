# Explicit loop over the bins with running CDF values instead of torch.cumsum; correct and differentiable.
# kind: style
# replaces: w1_cdf__solution
import torch


def compute_wasserstein_distance(p_probs, q_probs):
    total = torch.zeros((), dtype=torch.promote_types(p_probs.dtype, q_probs.dtype))
    cdf_p = torch.zeros((), dtype=total.dtype)
    cdf_q = torch.zeros((), dtype=total.dtype)
    for k in range(len(p_probs)):
        cdf_p = cdf_p + p_probs[k]
        cdf_q = cdf_q + q_probs[k]
        total = total + torch.abs(cdf_p - cdf_q)
    return total
