# Never clamps p to [EPS, 1 - EPS] inside the loop, although the task says to clamp before every forward pass.
# kind: procedure
# replaces: optimize__solution
# loses: optimize__history
# tells: it never keeps p inside [EPS, 1 - EPS], so the binomial can get a parameter outside its range. Clamp p in
# tells: place, without recording gradients, before every forward pass.
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
