# Integrates p(D | theta) p(theta) = theta^h (1 - theta)^t in the original space, over theta in
# [sigmoid(lower), sigmoid(upper)], the image of the z-range: the same integral by a change of variables; correct.
# kind: style
# replaces: coin_log_evidence__solution
import torch


def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    heads = flips.sum()
    tails = flips.numel() - heads
    ends = torch.sigmoid(torch.tensor([lower, upper], dtype=torch.float64))
    theta = torch.linspace(float(ends[0]), float(ends[1]), n_points, dtype=torch.float64)
    likelihood = torch.pow(theta, heads.double()) * torch.pow(1.0 - theta, tails.double())
    return torch.log(torch.trapezoid(likelihood, theta))
