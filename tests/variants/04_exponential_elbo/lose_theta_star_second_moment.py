# Root of theta^2 + B theta - N = 0, which comes from taking E_q[z^2] = 1/theta^2 in the ELBO.
# replaces: theta_star__solution
# loses: theta_star__tests
import math


def optimal_theta(x, lam):
    n = x.numel()
    b = float(x.sum()) - lam
    return float((-b + math.sqrt(b * b + 4 * n)) / 2)
