# Integrates p * log(p / q) with densities: 0 * log(0 / q) = nan where p is zero or underflows, inf where q underflows.
# replaces: kl_quadrature__solution
# loses: kl_quadrature__values kl_quadrature__zero_density
import torch


def kl_quadrature(p, q, xs):
    px = p.log_prob(xs).exp()
    qx = q.log_prob(xs).exp()
    return torch.trapezoid(px * torch.log(px / qx), xs, dim=0)
