# Clips with the global CLAMP (0.01) instead of the clamp argument.
# replaces: critic__solution
# loses: critic__tests
# tells: it clips to the notebook's global clipping range instead of the clamp argument it is given. A
# tells: function should use its own parameters, so that callers can choose another range.
def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = -(critic(x_p).mean() - critic(x_q.detach()).mean())
        loss.backward()
        optimizer.step()
        clamp_weights(critic, CLAMP)
    return critic
