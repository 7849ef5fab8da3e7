# Records p after optimizer.step(), so history['p'][i] is not the value that produced history['dist'][i].
# kind: procedure
# replaces: optimize__solution
# loses: optimize__history
# tells: it records p after the optimiser step, so each logged p is not the value that produced the logged loss. Record
# tells: p at the moment it is used.
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
        d = func(true_data, distrs.Binomial(total_count=n, probs=p).log_prob(support).exp())
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(d.item())
        history['p'].append(p.item())
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    return p, history
