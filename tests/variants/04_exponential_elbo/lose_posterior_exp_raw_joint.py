# Exponentiates the raw log joint, integrates, and takes logs afterwards: exp underflows to 0 (log 0 = -inf).
# kind: pitfall
# replaces: posterior__solution
# loses: posterior__evidence posterior__density
import torch


def log_evidence_quadrature(z_grid, x, lam):
    joint = torch.exp(log_joint(z_grid, x, lam))
    return torch.log(torch.trapezoid(joint, z_grid))


def log_posterior_on_grid(z_grid, x, lam):
    joint = torch.exp(log_joint(z_grid, x, lam))
    return torch.log(joint / torch.trapezoid(joint, z_grid))
