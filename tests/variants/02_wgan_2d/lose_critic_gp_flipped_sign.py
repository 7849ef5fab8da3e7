# Minimises (mean f(x_p) - mean f(x_q)) + lambda * penalty: the critic's gap enters with the wrong sign.
# replaces: critic_gp__solution
# loses: critic_gp__tests train__gp_run
# tells: the critic's gap mean f(x_p) - mean f(x_q) enters its loss with the wrong sign, so it learns to score
# tells: Q above P. The critic maximises the gap, so its loss is minus the gap plus lambda times the penalty.
def create_critic_with_penalty(x_p, x_q, critic, optimizer, steps=5, penalty_weight=10.0):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = (critic(x_p).mean() - critic(x_q).mean()) + penalty_weight * compute_gradient_penalty(critic, x_p, x_q)
        loss.backward()
        optimizer.step()
    return critic
