# Uses torch.distributions.Binomial instead of Pyro, p.grad = None instead of zero_grad, and p.data.clamp_; correct.
# kind: style
# replaces: optimize__solution
from collections import defaultdict

import torch


def optimize_binomial_distribution(func, p, true_data, lr=1e-3, epochs=1000):
    p = p.clone().detach().float().requires_grad_(True)
    history = defaultdict(list)
    opt = torch.optim.Adam([p], lr=lr)
    total_count = true_data.shape[0] - 1
    support = torch.arange(0, total_count + 1).float()
    for epoch in range(epochs):
        p.data.clamp_(EPS, 1 - EPS)
        model = torch.distributions.Binomial(total_count=total_count, probs=p)
        pmf = torch.exp(model.log_prob(support))
        loss = func(true_data, pmf)
        history['epoch'].append(epoch)
        history['dist'].append(loss.item())
        history['p'].append(p.item())
        p.grad = None
        loss.backward()
        opt.step()
    p.data.clamp_(EPS, 1 - EPS)
    return p, history
