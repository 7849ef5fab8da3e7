# Forgets the prior's contribution to B: uses B = sum(x) instead of sum(x) - lam.
# replaces: theta_star__solution
# loses: theta_star__tests
import math


def optimal_theta(x, lam):
    n = x.numel()
    b = float(x.sum())
    return float((-b + math.sqrt(b * b + 8 * n)) / 2)
