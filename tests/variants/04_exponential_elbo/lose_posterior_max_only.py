# Correct log evidence, but the "normalised" log posterior only subtracts the maximum of the log joint.
# replaces: posterior__solution
# loses: posterior__density
import torch


def log_evidence_quadrature(z_grid, x, lam):
    log_p = log_joint(z_grid, x, lam)
    m = log_p.max()
    return m + torch.log(torch.trapezoid(torch.exp(log_p - m), z_grid))


def log_posterior_on_grid(z_grid, x, lam):
    log_p = log_joint(z_grid, x, lam)
    return log_p - log_p.max()
