# Builds the ELBO from torch.distributions: mean, variance and entropy of Exponential(theta); correct.
# kind: style
# replaces: elbo__solution
import math

import torch


def elbo_closed_form(theta, x, lam):
    q = torch.distributions.Exponential(rate=theta)
    mean, second_moment = q.mean, q.variance + q.mean ** 2
    n = x.numel()
    expected_log_prior = math.log(lam) - lam * mean
    expected_log_lik = (-0.5 * ((x ** 2).sum() - 2 * x.sum() * mean + n * second_moment)
                        - 0.5 * n * math.log(2 * math.pi))
    return expected_log_prior + expected_log_lik + q.entropy()
