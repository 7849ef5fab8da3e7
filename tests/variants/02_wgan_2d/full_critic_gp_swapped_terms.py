# Writes the loss as mean f(x_q) - mean f(x_p) + lambda * penalty and zeroes with set_to_none=False; correct.
# kind: style
# replaces: critic_gp__solution
def create_critic_with_penalty(x_p, x_q, critic, optimizer, steps=5, penalty_weight=10.0):
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=False)
        penalty = compute_gradient_penalty(critic, x_p, x_q.detach())
        loss = critic(x_q.detach()).mean() - critic(x_p).mean() + penalty * penalty_weight
        loss.backward()
        optimizer.step()
    return critic
