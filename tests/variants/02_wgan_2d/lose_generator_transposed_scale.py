# Hand-written reparameterisation with L on the wrong side: covariance L^T L instead of L L^T. (From a student's read-through.)
# kind: outcome
# caught: visible
# replaces: generator__solution
# loses: generator__tests train__gp_run
def generator_step(critic, mu, raw_scale, optimizer, n_samples=256):
    optimizer.zero_grad()
    L = scale_tril_from_raw(raw_scale)
    z = torch.randn(n_samples, 2)
    x = mu + z @ L
    loss = -critic(x).mean()
    loss.backward()
    optimizer.step()
    return loss.item()
