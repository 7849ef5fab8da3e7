# Minimises +mean f(x) instead of -mean f(x), so Q runs away from where the critic is high.
# replaces: generator__solution
# loses: generator__tests train__mechanics train__gp_run
# tells: it minimises +mean f(x) instead of -mean f(x), so Q moves away from where the critic is high, that is
# tells: away from the data. Revisit which term of the critic's gap depends on Q.
def generator_step(critic, mu, raw_scale, optimizer, n_samples=256):
    optimizer.zero_grad()
    samples = make_q(mu, raw_scale).rsample((n_samples,))
    loss = critic(samples).mean()
    loss.backward()
    optimizer.step()
    return loss.item()
