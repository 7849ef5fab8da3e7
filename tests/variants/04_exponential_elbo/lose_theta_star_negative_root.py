# Takes the other root (-B - sqrt(B^2 + 8N)) / 2, which is negative and not a valid rate.
# replaces: theta_star__solution
# loses: theta_star__tests
import math


def optimal_theta(x, lam):
    n = x.numel()
    b = float(x.sum()) - lam
    return float((-b - math.sqrt(b * b + 8 * n)) / 2)
