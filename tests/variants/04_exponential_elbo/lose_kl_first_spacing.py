# Riemann sum with z_grid[1] as the step (as if the grid were even and started at 0).
# kind: pitfall
# caught: visible
# replaces: kl__solution
# loses: kl__tests
# tells: it integrates with a Riemann sum whose step is the second grid value, which assumes an even grid that
# tells: starts at 0. The grid may be uneven: use the trapezoid rule with the grid values themselves, not a
# tells: single step size.
import torch


def kl_to_posterior_numerical(theta, z_grid, log_posterior):
    theta = torch.as_tensor(theta, dtype=z_grid.dtype)
    log_q = torch.log(theta) - theta * z_grid
    return z_grid[1] * torch.sum(torch.exp(log_q) * (log_q - log_posterior))
