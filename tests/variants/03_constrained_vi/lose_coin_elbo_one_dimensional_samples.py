# Reshapes the quadrature nodes for 1-D parameters only; a 2-D grid of (mu, sigma) breaks. (From a student's read-through.)
# kind: contract-requirement
# caught: visible
# replaces: coin_elbo__solution
# loses: coin_elbo__batched
def coin_elbo(mu, sigma, flips, n_points=2001):
    mu, sigma = torch.as_tensor(mu, dtype=torch.float32), torch.as_tensor(sigma, dtype=torch.float32)
    u = torch.linspace(-8, 8, n_points)
    if mu.dim() > 0:
        u = u[:, None]
    z = mu + sigma * u
    lq = dist.Normal(mu, sigma).log_prob(z)
    lj = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.trapezoid(lq.exp() * (lj - lq), z, dim=0)
