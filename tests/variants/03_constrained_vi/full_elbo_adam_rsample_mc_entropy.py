# Uses Normal(mu, sigma).rsample, prior_unconstrained.log_prob and a Monte Carlo entropy -mean(log q(z)); correct.
# kind: style
# replaces: elbo_adam__solution
import torch


def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    log_sigma = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    for _ in range(n_steps):
        q = torch.distributions.Normal(mu, torch.exp(log_sigma))
        z = q.rsample((n_samples,))
        elbo = (log_likelihood(z, flips) + prior_unconstrained.log_prob(z) - q.log_prob(z)).mean()
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        history.append(float(elbo))
    return float(mu), float(torch.exp(log_sigma)), history
