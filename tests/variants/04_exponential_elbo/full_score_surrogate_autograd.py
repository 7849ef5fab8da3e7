# Surrogate loss with samples from .sample(): mean(f.detach() * log q(z) + f), differentiated by autograd; correct.
# kind: style
# replaces: score__solution
import torch


def score_function_gradient(theta, x, lam, num_samples, generator=None):
    theta = torch.as_tensor(theta, dtype=torch.float64).detach().clone().requires_grad_(True)
    q = torch.distributions.Exponential(theta)
    z = q.sample((num_samples,))                # no gradient through the samples
    log_q = q.log_prob(z)
    f = log_joint(z, x, lam) - log_q
    # d/dtheta of the surrogate = mean(f * dlogq/dtheta) + mean(df/dtheta at fixed z); the last term has mean 0
    surrogate = (f.detach() * log_q + f).mean()
    (grad,) = torch.autograd.grad(surrogate, theta)
    return grad.detach()
