# Writes the trapezoid rule as weights w_k and uses logsumexp(log_joint + log w); correct on uneven grids too.
# kind: style
# replaces: posterior__solution
import torch


def log_evidence_quadrature(z_grid, x, lam):
    dz = z_grid[1:] - z_grid[:-1]
    weights = torch.zeros_like(z_grid)
    weights[:-1] += dz / 2
    weights[1:] += dz / 2
    return torch.logsumexp(log_joint(z_grid, x, lam) + torch.log(weights), dim=0)


def log_posterior_on_grid(z_grid, x, lam):
    log_p = log_joint(z_grid, x, lam)
    return log_p - log_evidence_quadrature(z_grid, x, lam)
