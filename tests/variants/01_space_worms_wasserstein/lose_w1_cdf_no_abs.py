# Forgets the absolute value: sums the signed CDF differences, so mass moved left cancels mass moved right.
# replaces: w1_cdf__solution
# loses: w1_cdf__values w1_cdf__gradient landing__tests
# tells: it adds up the signed gaps between the two CDFs, so mass moved to the left cancels mass moved to the right.
# tells: Transport cost is never negative: revisit why the CDF form of W1 takes the absolute value of each gap.
import torch


def compute_wasserstein_distance(p_probs, q_probs):
    return (torch.cumsum(p_probs, dim=0) - torch.cumsum(q_probs, dim=0)).sum()
