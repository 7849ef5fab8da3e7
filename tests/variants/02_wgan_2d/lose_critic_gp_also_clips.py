# Copies create_critic and keeps a weight clipping to [-0.01, 0.01] on top of the gradient penalty.
# kind: pitfall
# caught: visible
# replaces: critic_gp__solution
# loses: critic_gp__tests train__gp_run
# tells: it still clips the weights on top of the gradient penalty. The penalty replaces weight clipping as
# tells: the way to keep the critic Lipschitz; clipping as well shrinks the critic to a tiny scale.
def create_critic_with_penalty(x_p, x_q, critic, optimizer, steps=5, penalty_weight=10.0):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = -(critic(x_p).mean() - critic(x_q).mean()) + penalty_weight * compute_gradient_penalty(critic, x_p, x_q)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for parameter in critic.parameters():
                parameter.clamp_(-0.01, 0.01)
    return critic
