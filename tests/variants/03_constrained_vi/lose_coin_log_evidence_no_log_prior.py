# Integrates the likelihood alone over z, forgetting the logistic prior density p(z) = sigmoid(z) sigmoid(-z).
# replaces: coin_log_evidence__solution
# loses: coin_log_evidence__values
import torch


def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    z = torch.linspace(lower, upper, n_points)
    return torch.log(torch.trapezoid(log_likelihood(z, flips).exp(), z))
