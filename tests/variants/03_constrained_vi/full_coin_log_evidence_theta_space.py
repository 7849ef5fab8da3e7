# Integrates p(D | theta) p(theta) = theta^h (1 - theta)^t over theta in [0, 1] (the original space); correct.
# kind: style
# replaces: coin_log_evidence__solution
import torch


def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    heads = flips.sum()
    tails = flips.numel() - heads
    theta = torch.linspace(0.0, 1.0, n_points, dtype=torch.float64)
    likelihood = torch.pow(theta, heads.double()) * torch.pow(1.0 - theta, tails.double())
    return torch.log(torch.trapezoid(likelihood, theta))
