# Returns the reparameterised gradient (autograd through z = eps / theta) instead of the score-function estimate;
# the task asks for the score-function estimator with no gradient flowing through the samples.
# kind: contract-requirement
# replaces: score__solution
# loses: score__tests
# tells: it returns the reparameterised gradient, with autograd through samples that depend on theta, instead
# tells: of the score-function estimate the task asks for: the samples are held fixed, and each value of f is
# tells: weighted by the score of q.
import torch


def score_function_gradient(theta, x, lam, num_samples, generator=None):
    t = torch.as_tensor(theta, dtype=x.dtype).detach().clone().requires_grad_(True)
    eps = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator)
    z = eps / t
    elbo = (log_joint(z, x, lam) - (torch.log(t) - t * z)).mean()
    (grad,) = torch.autograd.grad(elbo, t)
    return grad.detach()
