# Casts both inputs to float64 before the cumulative sums (returns a float64 scalar); correct.
# kind: style
# replaces: w1_cdf__solution
import torch


def compute_wasserstein_distance(p_probs, q_probs):
    p = torch.as_tensor(p_probs).to(torch.float64)
    q = torch.as_tensor(q_probs).to(torch.float64)
    return torch.sum(torch.abs(p.cumsum(0) - q.cumsum(0)))
