# Calls torch.trapezoid without dim=0, so batched grids are integrated along the last axis instead of the grid axis.
# replaces: kl_quadrature__solution
# loses: kl_quadrature__values kl_quadrature__zero_density
# tells: it integrates along the last dimension of the grid, which is the batch dimension when the grid holds
# tells: one column per distribution. The trapezoidal rule must run along dimension 0, the grid axis;
# tells: torch.trapezoid integrates along the last axis unless told otherwise.
import torch


def kl_quadrature(p, q, xs):
    log_p = p.log_prob(xs)
    log_q = q.log_prob(xs)
    integrand = torch.where(torch.isneginf(log_p), torch.zeros_like(log_p),
                            log_p.exp() * (log_p - log_q))
    return torch.trapezoid(integrand, xs)
