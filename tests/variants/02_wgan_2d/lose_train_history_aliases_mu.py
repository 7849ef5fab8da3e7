# Records mu.detach() without a copy: every history entry is the live tensor that Adam updates. (From a student's read-through.)
# kind: contract-requirement
# caught: visible
# replaces: train__solution
# loses: train__mechanics
def train_wgan(train_critic, critic, critic_optimizer, mu, raw_scale, q_optimizer, x_data,
               n_iterations, n_critic=5, batch_size=256):
    history = {
        "estimate": [],
        "mu": [mu.detach().clone()],
        "scale_tril": [scale_tril_from_raw(raw_scale).detach().clone()],
    }
    for _ in range(n_iterations):
        x_p = x_data[torch.randint(0, len(x_data), (batch_size,))]
        with torch.no_grad():
            x_q = make_q(mu, raw_scale).sample((batch_size,))
        train_critic(x_p, x_q, critic, critic_optimizer, steps=n_critic)
        with torch.no_grad():
            history["estimate"].append(float(critic(x_p).mean() - critic(x_q).mean()))
        generator_step(critic, mu, raw_scale, q_optimizer, batch_size)
        history["mu"].append(mu.detach())
        history["scale_tril"].append(scale_tril_from_raw(raw_scale).detach())
    return history
