# Weights the score with log p(x, z) only, forgetting the -log q(z) part of f (drops the entropy's gradient).
# kind: pitfall
# caught: visible
# replaces: score__solution
# loses: score__tests
# tells: it weights the score with log p(x, z) only and leaves out the -log q(z) part of f, which drops the
# tells: gradient of the entropy. Both halves of f = log p(x, z) - log q(z) matter.
import torch


def score_function_gradient(theta, x, lam, num_samples, generator=None):
    with torch.no_grad():
        theta = torch.as_tensor(theta, dtype=x.dtype)
        z = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator) / theta
        return (log_joint(z, x, lam) * (1.0 / theta - z)).mean()
