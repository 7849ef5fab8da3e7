# Reseeds the generator inside the function "for reproducibility": every call returns the same estimate.
# kind: procedure
# replaces: kl_monte_carlo__solution
# loses: kl_monte_carlo__convergence
# tells: it reseeds the random number generator inside the function, so every call returns the same estimate
# tells: and repeated estimates are not independent. Leave seeding to the caller: each call must draw fresh
# tells: samples.
import torch


def kl_monte_carlo(p, q, n_samples):
    torch.manual_seed(0)
    x = p.sample((n_samples,))
    return (p.log_prob(x) - q.log_prob(x)).mean()
