# Computes KL(q || p) instead of KL(p || q): integrates q (log q - log p).
# replaces: kl_quadrature__solution
# loses: kl_quadrature__values kl_quadrature__zero_density
# tells: it computes KL(q || p) instead of KL(p || q): the integrand is weighted by the second distribution.
# tells: The divergence is not symmetric; the density you integrate against is that of the first argument.
import torch


def kl_quadrature(p, q, xs):
    log_p = p.log_prob(xs)
    log_q = q.log_prob(xs)
    return torch.trapezoid(log_q.exp() * (log_q - log_p), xs, dim=0)
