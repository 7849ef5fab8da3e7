# Draws the same noise on every call (a generator seeded inside the function). (From a student's read-through.)
# kind: contract-requirement
# caught: visible
# replaces: reparameterize__solution
# loses: reparameterize__tests
def reparameterize(mu, log_var):
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(0)).to(mu.device, mu.dtype)
    return mu + torch.exp(0.5 * log_var) * eps
