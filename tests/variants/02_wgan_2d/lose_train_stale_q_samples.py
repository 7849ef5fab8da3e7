# Draws the samples of Q once before the loop, so the critic keeps comparing P with the starting Q.
# kind: procedure
# replaces: train__solution
# loses: train__mechanics train__gp_run
# tells: it draws the samples of Q once, before the loop, so the critic keeps comparing P with the starting Q.
# tells: Draw new samples of the current Q in every iteration.
def train_wgan(train_critic, critic, critic_optimizer, mu, raw_scale, q_optimizer, x_data,
               n_iterations, n_critic=5, batch_size=256):
    history = {
        "estimate": [],
        "mu": [mu.detach().clone()],
        "scale_tril": [scale_tril_from_raw(raw_scale).detach().clone()],
    }
    with torch.no_grad():
        x_q = make_q(mu, raw_scale).sample((batch_size,))
    for _ in range(n_iterations):
        x_p = x_data[torch.randint(0, len(x_data), (batch_size,))]
        train_critic(x_p, x_q, critic, critic_optimizer, steps=n_critic)
        with torch.no_grad():
            history["estimate"].append((critic(x_p).mean() - critic(x_q).mean()).item())
        generator_step(critic, mu, raw_scale, q_optimizer, batch_size)
        history["mu"].append(mu.detach().clone())
        history["scale_tril"].append(scale_tril_from_raw(raw_scale).detach().clone())
    return history
