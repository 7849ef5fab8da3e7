# Evaluates the integrand in float64, masking p = 0 with torch.where, and returns a float64 result; correct.
# kind: style
# replaces: kl_quadrature__solution
import torch


def kl_quadrature(p, q, xs):
    log_p = p.log_prob(xs).double()
    log_q = q.log_prob(xs).double()
    positive = log_p > float("-inf")
    integrand = torch.where(positive, log_p.exp() * (log_p - log_q), torch.zeros_like(log_p))
    return torch.trapezoid(integrand, xs.double(), dim=0)
