# Clips before each optimiser step instead of after it, so the last step leaves the parameters unclipped.
# kind: procedure
# replaces: critic__solution
# loses: critic__tests
# tells: it clips before each optimiser step instead of after it, so the last step leaves the parameters
# tells: outside [-c, c]. The clipping is a projection that must follow every update.
def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    for _ in range(steps):
        clamp_weights(critic, clamp)
        optimizer.zero_grad()
        loss = -(critic(x_p).mean() - critic(x_q.detach()).mean())
        loss.backward()
        optimizer.step()
    return critic
