# Integrates with a Riemann sum using z_grid[1] as the step, which assumes an even grid that starts at 0.
# replaces: posterior__solution
# loses: posterior__evidence posterior__density
# tells: it integrates with a Riemann sum whose step is the second grid value, which assumes an even grid that
# tells: starts at 0. The grid may be uneven and may start elsewhere: use the trapezoid rule with the grid
# tells: values themselves, not a single step size.
import torch


def log_evidence_quadrature(z_grid, x, lam):
    log_p = log_joint(z_grid, x, lam)
    m = log_p.max()
    return m + torch.log(torch.exp(log_p - m).sum() * z_grid[1])


def log_posterior_on_grid(z_grid, x, lam):
    return log_joint(z_grid, x, lam) - log_evidence_quadrature(z_grid, x, lam)
