# Records the critic's estimate before the critic's steps, with the critic of the previous iteration.
# kind: procedure
# replaces: train__solution
# loses: train__mechanics
# tells: it records the critic's estimate before the critic's training steps of the iteration, with the
# tells: previous iteration's critic. Follow the order of the steps: train the critic first, then record its
# tells: estimate.
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
            history["estimate"].append((critic(x_p).mean() - critic(x_q).mean()).item())
        train_critic(x_p, x_q, critic, critic_optimizer, steps=n_critic)
        generator_step(critic, mu, raw_scale, q_optimizer, batch_size)
        history["mu"].append(mu.detach().clone())
        history["scale_tril"].append(scale_tril_from_raw(raw_scale).detach().clone())
    return history
