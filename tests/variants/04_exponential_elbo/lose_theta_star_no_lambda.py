# Forgets the prior's contribution to B: uses B = sum(x) instead of sum(x) - lam.
# replaces: theta_star__solution
# loses: theta_star__tests
# tells: it leaves the prior out of B: the prior's -lambda z also contributes a term in 1/theta, so B is the
# tells: sum of the observations minus lambda. Revisit how the terms of the ELBO are collected.
import math


def optimal_theta(x, lam):
    n = x.numel()
    b = float(x.sum())
    return float((-b + math.sqrt(b * b + 8 * n)) / 2)
