# Averages the absolute CDF differences (mean) instead of summing them, i.e. divides W1 by n.
# replaces: w1_cdf__solution
# loses: w1_cdf__values w1_cdf__gradient
import torch


def compute_wasserstein_distance(p_probs, q_probs):
    return (torch.cumsum(p_probs, dim=0) - torch.cumsum(q_probs, dim=0)).abs().mean()
