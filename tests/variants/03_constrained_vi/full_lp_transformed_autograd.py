# Gets |T'(z)| from autograd (each output depends on its own input only, so the gradient of the sum is T'); correct.
# kind: style
# replaces: lp_transformed__solution
import torch


def lp_transformed(xs, d, transform):
    z = xs.detach().clone().requires_grad_(True)
    x = transform(z)
    (slope,) = torch.autograd.grad(x.sum(), z)
    return d.log_prob(x.detach()) + slope.abs().log()
