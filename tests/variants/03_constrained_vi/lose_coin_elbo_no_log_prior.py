# Leaves out the log prior because the prior on theta is flat, but in z-space it is log sigmoid(z) + log sigmoid(-z).
# kind: pitfall
# caught: visible
# replaces: coin_elbo__solution
# loses: coin_elbo__identity coin_elbo__batched
# demo: partial-student
# tells: it leaves out the log prior because the prior on theta is flat. In z-space the uniform prior becomes
# tells: the logistic density (the Jacobian of the sigmoid), and it belongs in the log joint; revisit section
# tells: 8 and the change of variables.
def coin_elbo(mu, sigma, flips, n_points=2001):
    mu = torch.as_tensor(mu, dtype=torch.get_default_dtype())
    sigma = torch.as_tensor(sigma, dtype=torch.get_default_dtype())
    u = torch.linspace(-8.0, 8.0, n_points).reshape(-1, *([1] * mu.dim()))
    z = mu + sigma * u
    log_q = dist.Normal(mu, sigma).log_prob(z)
    log_joint = log_likelihood(z, flips)
    return torch.trapezoid(log_q.exp() * (log_joint - log_q), z, dim=0)
