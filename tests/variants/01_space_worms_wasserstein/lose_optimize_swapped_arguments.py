# Calls func(model_pmf, true_data) instead of func(true_data, model_pmf); harmless for W1, wrong for KL.
# replaces: optimize__solution
# loses: optimize__other_distance kl_fit__tests
# tells: it calls the loss as func(model, data) instead of func(data, model). For a symmetric distance that makes no
# tells: difference, for the KL divergence it does: keep the order the contract gives.
from collections import defaultdict

import pyro.distributions as distrs
import torch


def optimize_binomial_distribution(func, p, true_data, lr=1e-3, epochs=1000):
    p = torch.as_tensor(p, dtype=torch.get_default_dtype()).detach().clone().requires_grad_(True)
    history = defaultdict(list)
    optimizer = torch.optim.Adam([p], lr=lr)
    n = len(true_data) - 1
    support = torch.arange(n + 1, dtype=true_data.dtype)
    for i in range(epochs):
        with torch.no_grad():
            p.clamp_(EPS, 1 - EPS)
        p_used = p.item()
        d = func(distrs.Binomial(total_count=n, probs=p).log_prob(support).exp(), true_data)
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(d.item())
        history['p'].append(p_used)
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    return p, history
