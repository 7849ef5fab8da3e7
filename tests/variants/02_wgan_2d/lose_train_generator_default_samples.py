# Calls generator_step without batch_size, so Q's step always uses the default 256 samples instead of batch_size
# (step 5 prescribes generator_step(critic, mu, raw_scale, q_optimizer, batch_size)).
# kind: procedure
# replaces: train__solution
# loses: train__mechanics
# tells: it calls the generator step without the number of samples, so Q is always updated with the default
# tells: 256 samples instead of batch_size. Pass batch_size on to the generator step.
import torch


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
            history["estimate"].append((critic(x_p).mean() - critic(x_q).mean()).item())
        generator_step(critic, mu, raw_scale, q_optimizer)
        history["mu"].append(mu.detach().clone())
        history["scale_tril"].append(scale_tril_from_raw(raw_scale).detach().clone())
    return history
