# Evaluates the gradient penalty at the samples of Q only (x_q paired with itself), not on the segments between P
# and Q: for a linear critic that is the same number, for any other critic it is not.
# kind: procedure
# replaces: critic_gp__solution
# loses: critic_gp__tests
# tells: it evaluates the gradient penalty at the samples of Q only, not at random points on the segments
# tells: between the samples of P and of Q. Revisit why WGAN-GP interpolates: the optimal critic has slope 1
# tells: along the transport routes between the two distributions.
def create_critic_with_penalty(x_p, x_q, critic, optimizer, steps=5, penalty_weight=10.0):
    x_q = x_q.detach()
    for _ in range(steps):
        optimizer.zero_grad()
        gap = critic(x_p).mean() - critic(x_q).mean()
        loss = -gap + penalty_weight * compute_gradient_penalty(critic, x_q, x_q)
        loss.backward()
        optimizer.step()
    return critic
