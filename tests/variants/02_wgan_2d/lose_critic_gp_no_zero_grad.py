# Never zeroes the critic's gradients, so each step uses the sum of all earlier gradients.
# kind: procedure
# replaces: critic_gp__solution
# loses: critic_gp__tests train__gp_run
# tells: it never zeroes the critic's gradients, so each step adds up the gradients of all earlier steps.
# tells: PyTorch accumulates gradients: clear them before every backward pass.
def create_critic_with_penalty(x_p, x_q, critic, optimizer, steps=5, penalty_weight=10.0):
    for _ in range(steps):
        loss = -(critic(x_p).mean() - critic(x_q).mean()) + penalty_weight * compute_gradient_penalty(critic, x_p, x_q)
        loss.backward()
        optimizer.step()
    return critic
