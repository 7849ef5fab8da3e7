# Treats theta as the scale (mean) of the exponential, q(z) = exp(-z / theta) / theta, instead of the rate.
# replaces: kl__solution
# loses: kl__tests
# tells: it treats theta as the scale (the mean) of the exponential instead of its rate. In this notebook
# tells: q_theta(z) = theta exp(-theta z), whose mean is 1/theta.
import torch


def kl_to_posterior_numerical(theta, z_grid, log_posterior):
    theta = torch.as_tensor(theta, dtype=z_grid.dtype)
    log_q = -torch.log(theta) - z_grid / theta
    return torch.trapezoid(torch.exp(log_q) * (log_q - log_posterior), z_grid)
