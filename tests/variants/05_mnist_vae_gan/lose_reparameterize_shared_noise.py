# Draws one noise vector of length d and shares it between all rows of the batch.
# replaces: reparameterize__solution
# loses: reparameterize__tests
# tells: it draws one noise vector and shares it between all rows of the batch, so the samples of different
# tells: images are not independent. Draw one standard normal value per entry, with the shape of mu.
import torch


def reparameterize(mu, log_var):
    eps = torch.randn(mu.shape[-1], dtype=mu.dtype, device=mu.device)
    return mu + torch.exp(0.5 * log_var) * eps
