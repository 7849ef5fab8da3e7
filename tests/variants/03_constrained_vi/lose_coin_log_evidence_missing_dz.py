# Sums exp(log joint) over the grid with logsumexp but forgets the grid spacing dz.
# replaces: coin_log_evidence__solution
# loses: coin_log_evidence__values
import torch


def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    z = torch.linspace(lower, upper, n_points)
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.logsumexp(log_joint, dim=0)
