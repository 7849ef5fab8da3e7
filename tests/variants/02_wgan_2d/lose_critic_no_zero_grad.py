# Never zeroes the critic's gradients: they accumulate over the steps. (From a student's read-through.)
# kind: procedure
# caught: visible
# replaces: critic__solution
# loses: critic__tests
def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    for _ in range(steps):
        loss = -(critic(x_p).mean() - critic(x_q).mean())
        loss.backward()
        optimizer.step()
        clamp_weights(critic, clamp)
    return critic
