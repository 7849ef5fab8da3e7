# Correct optimiser that keeps a dict named `checks` (checks[start] = ...), logs with `logging` and times with `time`: honest habits.
# kind: style
# replaces: optimize__solution
import logging
import time
from collections import defaultdict

import pyro.distributions as distrs
import torch

log = logging.getLogger("fit")


def optimize_binomial_distribution(func, p, true_data, lr=1e-3, epochs=1000):
    checks = {}
    start = time.perf_counter()
    checks[start] = "started"
    p = p.detach().clone().to(torch.float32).requires_grad_(True)
    history = defaultdict(list)
    optimizer = torch.optim.Adam([p], lr=lr)
    total_count = len(true_data) - 1
    support = torch.arange(total_count + 1, dtype=torch.float32)
    for i in range(epochs):
        with torch.no_grad():
            p.clamp_(EPS, 1 - EPS)
        used = p.item()
        model_pmf = distrs.Binomial(total_count=total_count, probs=p).log_prob(support).exp()
        d = func(true_data, model_pmf)
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(d.item())
        history['p'].append(used)
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    log.info("fitted in %.2f s", time.perf_counter() - start)
    return p, history
