# Uses total_count = len(true_data) = 11 (the number of outcomes) instead of 10 (the number of teeth).
# kind: pitfall
# caught: visible
# replaces: optimize__solution
# loses: optimize__basins optimize__history optimize__other_distance landing__tests kl_fit__tests
# tells: it builds the binomial with 11 trials, the number of outcomes, instead of 10, the number of teeth. A binomial
# tells: with n trials has n + 1 outcomes 0, ..., n.
from collections import defaultdict

import pyro.distributions as distrs
import torch


def optimize_binomial_distribution(func, p, true_data, lr=1e-3, epochs=1000):
    p = torch.as_tensor(p, dtype=torch.get_default_dtype()).detach().clone().requires_grad_(True)
    history = defaultdict(list)
    optimizer = torch.optim.Adam([p], lr=lr)
    n = len(true_data)
    support = torch.arange(n, dtype=true_data.dtype)
    for i in range(epochs):
        with torch.no_grad():
            p.clamp_(EPS, 1 - EPS)
        p_used = p.item()
        d = func(true_data, distrs.Binomial(total_count=n, probs=p).log_prob(support).exp())
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(d.item())
        history['p'].append(p_used)
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    return p, history
