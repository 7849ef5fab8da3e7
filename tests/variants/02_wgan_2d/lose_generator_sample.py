# Draws the samples of Q with .sample() instead of .rsample(), so no gradient reaches mu or the Cholesky factor.
# replaces: generator__solution
# loses: generator__tests train__mechanics train__gp_run
def generator_step(critic, mu, raw_scale, optimizer, n_samples=256):
    optimizer.zero_grad()
    samples = make_q(mu, raw_scale).sample((n_samples,))
    loss = -critic(samples).mean()
    loss.backward()
    optimizer.step()
    return loss.item()
