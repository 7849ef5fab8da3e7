# Integrates the likelihood alone over z, forgetting the logistic prior density p(z) = sigmoid(z) sigmoid(-z).
# kind: pitfall
# caught: visible
# replaces: coin_log_evidence__solution
# loses: coin_log_evidence__values
# tells: it integrates the likelihood alone over z and forgets the prior density of z. A flat prior on theta
# tells: is not flat in z = logit(theta): in z-space it is the logistic density, and it must be part of the
# tells: integrand.
import torch


def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    z = torch.linspace(lower, upper, n_points)
    return torch.log(torch.trapezoid(log_likelihood(z, flips).exp(), z))
