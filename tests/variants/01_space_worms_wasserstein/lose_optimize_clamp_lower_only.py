# Clamps p before every forward pass, but only from below (EPS): nothing stops a step past 1 - EPS.
# kind: procedure
# replaces: optimize__solution
# loses: optimize__history
# tells: it keeps p above EPS but forgets the upper bound 1 - EPS, so an optimiser step can push p past 1 and the
# tells: binomial gets a parameter outside its range. Clamp p to both ends of [EPS, 1 - EPS] before every forward
# tells: pass.
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
            p.clamp_(min=EPS)
        used = p.item()
        d = func(true_data, distrs.Binomial(total_count=n, probs=p).log_prob(support).exp())
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(d.item())
        history['p'].append(used)
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    return p, history
