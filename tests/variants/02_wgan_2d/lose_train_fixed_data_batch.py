# Draws the mini-batch of P once before the loop and reuses it in every iteration, instead of drawing a new batch
# of the training data in every iteration (step 1 of the prescribed iteration).
# kind: procedure
# replaces: train__solution
# loses: train__mechanics
# tells: it draws the mini-batch of the data once, before the loop, and reuses it in every iteration. Each
# tells: iteration needs a fresh batch of the training data.
import torch


def train_wgan(train_critic, critic, critic_optimizer, mu, raw_scale, q_optimizer, x_data,
               n_iterations, n_critic=5, batch_size=256):
    history = {
        "estimate": [],
        "mu": [mu.detach().clone()],
        "scale_tril": [scale_tril_from_raw(raw_scale).detach().clone()],
    }
    x_p = x_data[torch.randint(0, len(x_data), (batch_size,))]
    for _ in range(n_iterations):
        with torch.no_grad():
            x_q = make_q(mu, raw_scale).sample((batch_size,))
        train_critic(x_p, x_q, critic, critic_optimizer, steps=n_critic)
        with torch.no_grad():
            history["estimate"].append((critic(x_p).mean() - critic(x_q).mean()).item())
        generator_step(critic, mu, raw_scale, q_optimizer, batch_size)
        history["mu"].append(mu.detach().clone())
        history["scale_tril"].append(scale_tril_from_raw(raw_scale).detach().clone())
    return history
