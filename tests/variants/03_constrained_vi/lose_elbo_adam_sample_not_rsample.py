# Draws z with q.sample() instead of rsample(): no gradient flows through z, so (mu, sigma) only random-walk under the noise.
# replaces: elbo_adam__solution
# loses: elbo_adam__fit elbo_adam__history
# tells: it draws z with sample(), which cuts the gradient: z no longer depends on mu and sigma, so the
# tells: expected log joint gives them no gradient and the fit only drifts. Revisit the reparameterisation
# tells: trick: z must be built from mu, sigma and standard-normal noise so that gradients flow through it.
import torch


def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    log_sigma = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    for _ in range(n_steps):
        q = torch.distributions.Normal(mu, log_sigma.exp())
        z = q.sample((n_samples,))
        elbo = (log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z) - q.log_prob(z)).mean()
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        history.append(elbo.item())
    return mu.item(), log_sigma.exp().item(), history
