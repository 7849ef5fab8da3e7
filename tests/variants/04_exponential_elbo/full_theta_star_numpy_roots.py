# Solves theta^2 + B theta - 2N = 0 with numpy.roots and keeps the larger (positive) root as a NumPy float; correct.
# kind: style
# replaces: theta_star__solution
import numpy as np


def optimal_theta(x, lam):
    b = float(x.sum()) - lam
    roots = np.roots([1.0, b, -2.0 * x.numel()])
    return np.float64(np.max(roots.real))
