# Uses log densities but does not mask p = 0: exp(-inf) * (-inf - log q) = 0 * (-inf) = nan where p has no support.
# kind: pitfall
# caught: visible
# replaces: kl_quadrature__solution
# loses: kl_quadrature__zero_density
# tells: it uses log densities, but where p(x) = 0 (log p = -inf) the integrand becomes 0 times infinity,
# tells: which is nan in floating point. The convention 0 log 0 = 0 must be built in: the integrand is exactly
# tells: 0 wherever p has no support.
import torch


def kl_quadrature(p, q, xs):
    log_p = p.log_prob(xs)
    log_q = q.log_prob(xs)
    return torch.trapezoid(log_p.exp() * (log_p - log_q), xs, dim=0)
