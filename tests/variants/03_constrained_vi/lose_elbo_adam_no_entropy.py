# Maximises E_q[log p(D, z)] without the entropy term log sigma, so sigma shrinks towards 0 (a MAP fit in z).
# replaces: elbo_adam__solution
# loses: elbo_adam__fit elbo_adam__history
# tells: it maximises only the expected log joint and leaves out the entropy term log sigma, so nothing stops
# tells: sigma from shrinking towards 0 (a MAP fit in z). Revisit the one-step ELBO estimate of section 11:
# tells: the entropy of q is part of it.
import torch


def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    log_sigma = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    for _ in range(n_steps):
        z = mu + log_sigma.exp() * torch.randn(n_samples)
        elbo = (log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)).mean()
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        history.append(elbo.item())
    return mu.item(), log_sigma.exp().item(), history
