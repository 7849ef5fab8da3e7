# Normalises with logsumexp over the grid points, i.e. as a discrete pmf, forgetting the spacing dz of the integral.
# replaces: posterior__solution
# loses: posterior__evidence posterior__density
import torch


def log_evidence_quadrature(z_grid, x, lam):
    return torch.logsumexp(log_joint(z_grid, x, lam), dim=0)


def log_posterior_on_grid(z_grid, x, lam):
    log_p = log_joint(z_grid, x, lam)
    return log_p - torch.logsumexp(log_p, dim=0)
