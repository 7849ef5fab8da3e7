# Minimises mean f(x_p) - mean f(x_q) instead of its negative, so the critic learns to rank Q above P.
# replaces: critic__solution
# loses: critic__tests
# tells: it minimises mean f(x_p) - mean f(x_q) instead of its negative, so the critic learns to score Q above
# tells: P. Revisit the critic's objective: it maximises that gap, and an optimiser minimises a loss.
def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = critic(x_p).mean() - critic(x_q.detach()).mean()
        loss.backward()
        optimizer.step()
        clamp_weights(critic, clamp)
    return critic
