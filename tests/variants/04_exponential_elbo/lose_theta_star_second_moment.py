# Root of theta^2 + B theta - N = 0, which comes from taking E_q[z^2] = 1/theta^2 in the ELBO.
# kind: pitfall
# caught: visible
# replaces: theta_star__solution
# loses: theta_star__tests
# tells: it solves the stationarity condition you get when E_q[z^2] is taken as 1/theta^2 instead of 2/theta^2
# tells: (the variance is forgotten). Revisit the second moment of Exp(theta) and differentiate the ELBO
# tells: again.
import math


def optimal_theta(x, lam):
    n = x.numel()
    b = float(x.sum()) - lam
    return float((-b + math.sqrt(b * b + 4 * n)) / 2)
