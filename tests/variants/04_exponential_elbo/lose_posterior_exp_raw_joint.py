# Exponentiates the raw log joint, integrates, and takes logs afterwards: exp underflows to 0 (log 0 = -inf).
# kind: pitfall
# caught: visible
# replaces: posterior__solution
# loses: posterior__evidence posterior__density
# tells: it exponentiates the raw log joint before integrating. Where the log joint is below about -745 (many
# tells: observations, or the far tail) exp gives exactly 0 in float64, and the log of it is -inf or nan.
# tells: Revisit normalising in log space: subtract the maximum before exponentiating, add it back after the
# tells: log, and form the log posterior as a difference of logs.
import torch


def log_evidence_quadrature(z_grid, x, lam):
    joint = torch.exp(log_joint(z_grid, x, lam))
    return torch.log(torch.trapezoid(joint, z_grid))


def log_posterior_on_grid(z_grid, x, lam):
    joint = torch.exp(log_joint(z_grid, x, lam))
    return torch.log(joint / torch.trapezoid(joint, z_grid))
