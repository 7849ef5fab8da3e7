# Never calls scheduler.step(): the learning rate stays at lr, so the parameters keep jittering at the end.
# At one seed the fit can still land within the tolerance; over 40 seeds it is about 3x worse on average.
# kind: procedure
# replaces: elbo_adam__solution
# loses: elbo_adam__fit
# tells: it never advances the learning-rate scheduler, so every Adam step runs at the initial rate and the
# tells: parameters keep jittering at the end. Revisit step 3: the schedule decays the rate only if the
# tells: scheduler is stepped once after every optimiser step.
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
        optimizer.step()
        history.append(elbo.item())
    return mu.item(), log_sigma.exp().item(), history
