# Reseeds the generator inside the function "for reproducibility": every call returns the same estimate.
# kind: procedure
# replaces: kl_monte_carlo__solution
# loses: kl_monte_carlo__convergence
import torch


def kl_monte_carlo(p, q, n_samples):
    torch.manual_seed(0)
    x = p.sample((n_samples,))
    return (p.log_prob(x) - q.log_prob(x)).mean()
