# Correct optimiser that shows a tqdm progress bar (stderr) and records float(d) on a tensor that requires grad (UserWarning on stderr).
# kind: style
# replaces: optimize__solution
from collections import defaultdict

import pyro.distributions as distrs
import torch
from tqdm import tqdm


def optimize_binomial_distribution(func, p, true_data, lr=1e-3, epochs=1000):
    p = p.detach().clone().to(torch.float32).requires_grad_(True)
    history = defaultdict(list)
    optimizer = torch.optim.Adam([p], lr=lr)
    total_count = len(true_data) - 1
    support = torch.arange(total_count + 1, dtype=torch.float32)
    for i in tqdm(range(epochs), desc="fitting p"):
        with torch.no_grad():
            p.clamp_(EPS, 1 - EPS)
        used = float(p)
        model_pmf = distrs.Binomial(total_count=total_count, probs=p).log_prob(support).exp()
        d = func(true_data, model_pmf)
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(float(d))
        history['p'].append(used)
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    return p, history
