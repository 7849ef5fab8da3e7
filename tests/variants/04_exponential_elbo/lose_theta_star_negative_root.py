# Takes the other root (-B - sqrt(B^2 + 8N)) / 2, which is negative and not a valid rate.
# replaces: theta_star__solution
# loses: theta_star__tests
# tells: it returns the negative root of the quadratic, which is not a valid rate. The two roots have product
# tells: -2N < 0, so exactly one of them is positive, and a rate must be positive.
import math


def optimal_theta(x, lam):
    n = x.numel()
    b = float(x.sum()) - lam
    return float((-b - math.sqrt(b * b + 8 * n)) / 2)
