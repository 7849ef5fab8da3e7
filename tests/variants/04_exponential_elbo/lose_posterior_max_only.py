# Correct log evidence, but the "normalised" log posterior only subtracts the maximum of the log joint.
# replaces: posterior__solution
# loses: posterior__density
# tells: its log evidence is right, but its log posterior only subtracts the maximum of the log joint, which
# tells: does not normalise it: exponentiated, it does not integrate to 1. The normalised log posterior is the
# tells: log joint minus the log evidence.
import torch


def log_evidence_quadrature(z_grid, x, lam):
    log_p = log_joint(z_grid, x, lam)
    m = log_p.max()
    return m + torch.log(torch.trapezoid(torch.exp(log_p - m), z_grid))


def log_posterior_on_grid(z_grid, x, lam):
    log_p = log_joint(z_grid, x, lam)
    return log_p - log_p.max()
