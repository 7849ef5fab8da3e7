# Sums exp(log joint) over the grid with logsumexp but forgets the grid spacing dz.
# replaces: coin_log_evidence__solution
# loses: coin_log_evidence__values
# tells: it adds up the values of the joint density at the grid points but never multiplies by the grid
# tells: spacing dz, so the result is off by log dz. A sum approximates an integral only with the widths of
# tells: the intervals; revisit the trapezoidal rule.
import torch


def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    z = torch.linspace(lower, upper, n_points)
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.logsumexp(log_joint, dim=0)
