# Draws the data batch without replacement (randperm), detaches rsample'd samples of Q, and reads L from Q; correct.
# kind: style
# replaces: train__solution
def train_wgan(train_critic, critic, critic_optimizer, mu, raw_scale, q_optimizer, x_data,
               n_iterations, n_critic=5, batch_size=256):
    history = {
        "estimate": [],
        "mu": [mu.detach().clone()],
        "scale_tril": [scale_tril_from_raw(raw_scale).detach().clone()],
    }
    for iteration in range(n_iterations):
        x_p = x_data[torch.randperm(len(x_data))[:batch_size]]
        q = make_q(mu, raw_scale)
        x_q = q.rsample(torch.Size([batch_size])).detach()
        critic = train_critic(x_p, x_q, critic, critic_optimizer, steps=n_critic)
        with torch.no_grad():
            estimate = critic(x_p).mean() - critic(x_q).mean()
        history["estimate"].append(float(estimate))
        generator_step(critic, mu, raw_scale, q_optimizer, n_samples=batch_size)
        history["mu"].append(mu.detach().clone())
        history["scale_tril"].append(make_q(mu, raw_scale).scale_tril.detach().clone())
    return history
