# Draws the samples of Q with .sample() instead of .rsample(), so no gradient reaches mu or the Cholesky factor.
# kind: pitfall
# caught: visible
# replaces: generator__solution
# loses: generator__tests train__mechanics train__gp_run
# tells: it draws the samples of Q with sample(), which returns constants: the samples do not depend on mu and
# tells: L in the graph, so no gradient reaches Q's parameters and Q never moves. Revisit the reparameterisation
# tells: x = mu + L z: the samples must be drawn so that gradients flow through them (rsample).
def generator_step(critic, mu, raw_scale, optimizer, n_samples=256):
    optimizer.zero_grad()
    samples = make_q(mu, raw_scale).sample((n_samples,))
    loss = -critic(samples).mean()
    loss.backward()
    optimizer.step()
    return loss.item()
