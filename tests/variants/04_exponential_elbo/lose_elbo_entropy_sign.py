# Sign error in the entropy: adds E_q[log q] = log(theta) - 1 instead of subtracting it.
# replaces: elbo__solution
# loses: elbo__tests
# tells: it adds E_q[log q] where the entropy belongs: the entropy of q is minus that, so the entropy term
# tells: enters with the wrong sign. Revisit the split of the ELBO into the expected log joint plus the
# tells: entropy H[q] = -E_q[log q(z)].
import math

import torch


def elbo_closed_form(theta, x, lam):
    n = x.numel()
    b = x.sum() - lam
    expected_log_joint = b / theta - n / theta ** 2 - 0.5 * (x ** 2).sum() - 0.5 * n * math.log(2 * math.pi) + math.log(lam)
    entropy = torch.log(theta) - 1.0      # should be 1 - log(theta)
    return expected_log_joint + entropy
