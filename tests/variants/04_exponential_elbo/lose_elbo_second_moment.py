# Takes E_q[z^2] as 1/theta^2 (the squared mean) instead of 2/theta^2, so the -N/theta^2 term becomes -N/(2 theta^2).
# kind: pitfall
# caught: visible
# replaces: elbo__solution
# loses: elbo__tests
# demo: partial-student
# tells: it takes E_q[z^2] as the squared mean 1/theta^2 and forgets the variance, so the N/theta^2 term is
# tells: halved. Revisit the second moment of Exp(theta): variance plus squared mean.
import math

import torch


def elbo_closed_form(theta, x, lam):
    n = x.numel()
    expected_z = 1 / theta
    expected_z2 = 1 / theta ** 2          # forgets the variance: E[z^2] = Var + mean^2 = 2 / theta^2
    expected_log_joint = (math.log(lam) - lam * expected_z - 0.5 * (x ** 2).sum() + x.sum() * expected_z
                          - 0.5 * n * expected_z2 - 0.5 * n * math.log(2 * math.pi))
    return expected_log_joint + 1 - torch.log(theta)
