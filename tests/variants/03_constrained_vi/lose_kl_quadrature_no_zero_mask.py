# Uses log densities but does not mask p = 0: exp(-inf) * (-inf - log q) = 0 * (-inf) = nan where p has no support.
# kind: pitfall
# replaces: kl_quadrature__solution
# loses: kl_quadrature__zero_density
import torch


def kl_quadrature(p, q, xs):
    log_p = p.log_prob(xs)
    log_q = q.log_prob(xs)
    return torch.trapezoid(log_p.exp() * (log_p - log_q), xs, dim=0)
