# Ignores the penalty_weight argument and weighs the penalty with 1. (From a student's read-through.)
# kind: outcome
# caught: visible
# replaces: critic_gp__solution
# loses: critic_gp__tests train__gp_run
def create_critic_with_penalty(x_p, x_q, critic, optimizer, steps=5, penalty_weight=10.0):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = -(critic(x_p).mean() - critic(x_q).mean()) + compute_gradient_penalty(critic, x_p, x_q)
        loss.backward()
        optimizer.step()
    return critic
