# Sets the decaying learning rate by hand on the parameter group instead of through the scheduler: every Adam step
# runs at the rate the schedule prescribes, so the procedure is the one the task asks for.
# kind: procedure
# replaces: elbo_adam__solution
def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    log_sigma = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    history = []
    for step in range(n_steps):
        z = mu + torch.exp(log_sigma) * torch.randn(n_samples)
        elbo = torch.mean(log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)) \
            + log_sigma + 0.5 * math.log(2 * math.pi) + 0.5
        optimizer.zero_grad()
        (-elbo).backward()
        for group in optimizer.param_groups:
            group["lr"] = lr * (1.0 - step / n_steps)
        optimizer.step()
        history.append(float(elbo))
    return float(mu), float(torch.exp(log_sigma)), history
