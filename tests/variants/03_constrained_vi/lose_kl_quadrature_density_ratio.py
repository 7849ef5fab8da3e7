# Integrates p * log(p / q) with densities: 0 * log(0 / q) = nan where p is zero or underflows, inf where q underflows.
# replaces: kl_quadrature__solution
# loses: kl_quadrature__values kl_quadrature__zero_density
# tells: it works with the ratio of the densities instead of the difference of their logs. Where a density is
# tells: zero or underflows to 0 in float32, the integrand becomes 0 / 0 or 0 times log 0, which is nan (or
# tells: inf). Revisit why a KL divergence is computed from log_prob values, with 0 log 0 set to 0 explicitly.
import torch


def kl_quadrature(p, q, xs):
    px = p.log_prob(xs).exp()
    qx = q.log_prob(xs).exp()
    return torch.trapezoid(px * torch.log(px / qx), xs, dim=0)
