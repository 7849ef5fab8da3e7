# Stable log-space sum: logsumexp of the log joint plus log dz (a Riemann sum; the end points are negligible); correct.
# kind: style
# replaces: coin_log_evidence__solution
import math

import torch


def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    z = torch.linspace(lower, upper, n_points)
    log_joint = log_likelihood(z, flips) + prior_unconstrained.log_prob(z)
    return torch.logsumexp(log_joint, dim=0) + math.log((upper - lower) / (n_points - 1))
