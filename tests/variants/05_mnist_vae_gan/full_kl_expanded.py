# Writes the KL as -1/2 sum(1 + log sigma^2 - mu^2 - sigma^2), the form of Kingma and Welling's appendix B.
# kind: style
# replaces: kl__solution
import torch


def kl_to_standard_normal(mu, log_var):
    return -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp(), dim=1)
