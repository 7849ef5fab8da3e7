# Writes the trapezoidal sum by hand and masks p = 0 with a boolean index instead of torch.where; correct.
# kind: style
# replaces: kl_quadrature__solution
import torch


def kl_quadrature(p, q, xs):
    log_p = p.log_prob(xs)
    log_q = q.log_prob(xs)
    integrand = torch.exp(log_p) * (log_p - log_q)
    integrand[log_p == float("-inf")] = 0.0
    widths = xs[1:] - xs[:-1]
    return (widths * (integrand[1:] + integrand[:-1]) / 2).sum(dim=0)
