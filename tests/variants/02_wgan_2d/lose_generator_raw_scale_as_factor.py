# Uses raw_scale itself as the Cholesky factor (no exp on the diagonal, upper entry kept). (From a student's read-through.)
# kind: outcome
# caught: visible
# replaces: generator__solution
# loses: generator__tests train__gp_run
def generator_step(critic, mu, raw_scale, optimizer, n_samples=256):
    optimizer.zero_grad()
    z = torch.randn(n_samples, 2)
    x = mu + z @ raw_scale.T
    loss = -critic(x).mean()
    loss.backward()
    optimizer.step()
    return loss.item()
