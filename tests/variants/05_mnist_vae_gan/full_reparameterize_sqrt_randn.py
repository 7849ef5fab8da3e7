# Takes sigma as the square root of the variance and draws the noise with torch.randn on mu's device and dtype.
# kind: style
# replaces: reparameterize__solution
import torch


def reparameterize(mu, log_var):
    sigma = torch.sqrt(torch.exp(log_var))
    eps = torch.randn(mu.shape, dtype=mu.dtype, device=mu.device)
    return eps * sigma + mu
