# Uses math.log(theta), which turns theta into a Python float: the value is right but dL/dtheta misses -1/theta.
# replaces: elbo__solution
# loses: elbo__tests
# tells: its value is right, but the log of theta is taken with the math module, which turns theta into a
# tells: plain number: autograd never sees that term, so dL/dtheta misses the entropy's -1/theta. Build every
# tells: term that involves theta from torch operations.
import math

import torch


def elbo_closed_form(theta, x, lam):
    n = x.numel()
    b = x.sum() - lam
    c = -0.5 * (x ** 2).sum() - 0.5 * n * math.log(2 * math.pi) + math.log(lam) + 1.0
    return b / theta - n / theta ** 2 - math.log(theta) + c
