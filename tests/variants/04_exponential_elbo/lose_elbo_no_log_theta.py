# Drops the -log(theta) term of the entropy (keeps only the constant 1 of 1 - log theta).
# replaces: elbo__solution
# loses: elbo__tests
# tells: it leaves out the -log(theta) part of the entropy and keeps only its constant 1. Revisit the entropy
# tells: of Exp(theta), 1 - log(theta).
import math

import torch


def elbo_closed_form(theta, x, lam):
    n = x.numel()
    b = x.sum() - lam
    c = -0.5 * (x ** 2).sum() - 0.5 * n * math.log(2 * math.pi) + math.log(lam) + 1.0
    return b / theta - n / theta ** 2 + c
