# Never zeroes the gradients in the Adam fit. (From a student's read-through.)
# kind: procedure
# caught: visible
# replaces: elbo_adam__solution
# loses: elbo_adam__fit elbo_adam__history
def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    log_sigma = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    for _ in range(n_steps):
        s = log_sigma.exp()
        z = mu + s * torch.randn(n_samples)
        elbo = (log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)).mean() + log_sigma + 0.5 * math.log(2 * math.pi * math.e)
        (-elbo).backward(); optimizer.step(); scheduler.step()
        history.append(elbo.item())
    return mu.item(), log_sigma.exp().item(), history
