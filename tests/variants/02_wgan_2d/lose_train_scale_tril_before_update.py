# Records the Cholesky factor before the generator step instead of after it, so history["scale_tril"][t + 1] is
# the state before the update of iteration t (off by one), against "entry t + 1 is the state after the update".
# kind: procedure
# replaces: train__solution
# loses: train__mechanics
# tells: it records the Cholesky factor before the generator step instead of after it, so the history of L is
# tells: one step behind that of mu. Entry t + 1 is the state after the update of iteration t.
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
        scale_before = scale_tril_from_raw(raw_scale).detach().clone()
        generator_step(critic, mu, raw_scale, q_optimizer, batch_size)
        history["mu"].append(mu.detach().clone())
        history["scale_tril"].append(scale_before)
    return history
