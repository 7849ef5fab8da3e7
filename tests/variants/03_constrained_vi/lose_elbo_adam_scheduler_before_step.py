# Steps the scheduler before the optimiser: every Adam step runs at the next step's rate, and the last at rate 0.
# The outcome hardly changes; the procedure the task prescribes does.
# kind: procedure
# replaces: elbo_adam__solution
# loses: elbo_adam__fit
# tells: it advances the scheduler before the optimiser, so every Adam step runs at the next step's learning
# tells: rate and the last one at rate 0. Revisit step 3: the scheduler is stepped after the optimiser step of
# tells: the same iteration.
def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    mu = torch.zeros((), requires_grad=True)
    log_sigma = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    entropy_constant = 0.5 * math.log(2 * math.pi * math.e)
    for _ in range(n_steps):
        eps = torch.randn(n_samples)
        z = mu + log_sigma.exp() * eps
        log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
        elbo = log_joint.mean() + log_sigma + entropy_constant
        optimizer.zero_grad()
        (-elbo).backward()
        scheduler.step()
        optimizer.step()
        history.append(elbo.item())
    return mu.item(), log_sigma.exp().item(), history
