# Surrogate loss f.detach() * log q(z) but with reparameterised z (rsample), so the path gradient is added on top.
# replaces: score__solution
# loses: score__tests
# tells: it builds a surrogate loss on reparameterised samples, so on top of the score-function term autograd
# tells: also adds the gradient through the samples. In the score-function estimator no gradient may flow
# tells: through the samples themselves.
import torch


def score_function_gradient(theta, x, lam, num_samples, generator=None):
    theta = theta.detach().clone().requires_grad_(True)
    q = torch.distributions.Exponential(theta)
    z = q.rsample((num_samples,))               # keeps theta in the graph of z: not REINFORCE any more
    log_q = q.log_prob(z)
    f = log_joint(z, x, lam) - log_q
    surrogate = (f.detach() * log_q).mean() + f.mean()
    (grad,) = torch.autograd.grad(surrogate, theta)
    return grad
