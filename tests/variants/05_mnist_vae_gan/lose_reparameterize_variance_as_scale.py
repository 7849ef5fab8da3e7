# Scales the noise by the variance exp(log_var) instead of the standard deviation exp(log_var / 2).
# replaces: reparameterize__solution
# loses: reparameterize__tests
# demo: partial-student
# tells: it scales the noise by the variance exp(log_var) instead of the standard deviation sigma =
# tells: exp(log_var / 2). Revisit the difference between sigma, sigma^2 and log sigma^2.
import torch


def reparameterize(mu, log_var):
    return mu + torch.exp(log_var) * torch.randn_like(mu)
