# Rationalised form 4N / (B + sqrt(B^2 + 8N)) of the positive root (no cancellation for large B); correct.
# kind: style
# replaces: theta_star__solution
import math


def optimal_theta(x, lam):
    n = x.numel()
    b = x.sum().item() - lam
    return 4 * n / (b + math.sqrt(b * b + 8 * n))
