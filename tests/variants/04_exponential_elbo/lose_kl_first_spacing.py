# Riemann sum with z_grid[1] as the step (as if the grid were even and started at 0).
# replaces: kl__solution
# loses: kl__tests
import torch


def kl_to_posterior_numerical(theta, z_grid, log_posterior):
    theta = torch.as_tensor(theta, dtype=z_grid.dtype)
    log_q = torch.log(theta) - theta * z_grid
    return z_grid[1] * torch.sum(torch.exp(log_q) * (log_q - log_posterior))
