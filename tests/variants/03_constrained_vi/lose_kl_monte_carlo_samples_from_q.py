# Draws the samples from q instead of p, which estimates E_q[log p - log q] = -KL(q || p) (wrong values and wrong means).
# replaces: kl_monte_carlo__solution
# loses: kl_monte_carlo__values kl_monte_carlo__convergence
# tells: it draws the samples from q instead of p, which estimates E_q[log p - log q] = -KL(q || p), not KL(p
# tells: || q). The expectation in KL(p || q) is taken under p, the first argument.
def kl_monte_carlo(p, q, n_samples):
    x = q.sample((n_samples,))
    return (p.log_prob(x) - q.log_prob(x)).mean()
