# Never zeroes the gradients, so every step adds the gradients of all earlier steps.
# kind: procedure
# replaces: generator__solution
# loses: generator__tests train__mechanics train__gp_run
# tells: it never zeroes the gradients, so each step also applies the gradients left over from earlier
# tells: computations. PyTorch accumulates gradients: clear them at the start of every step.
def generator_step(critic, mu, raw_scale, optimizer, n_samples=256):
    samples = make_q(mu, raw_scale).rsample((n_samples,))
    loss = -critic(samples).mean()
    loss.backward()
    optimizer.step()
    return loss.item()
