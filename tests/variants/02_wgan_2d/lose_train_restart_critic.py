# Builds a fresh critic and optimiser in every iteration (the seed notebook's scheme), so no critic persists.
# kind: pitfall
# caught: visible
# replaces: train__solution
# loses: train__mechanics train__gp_run
# tells: it builds a fresh critic in every iteration instead of training the one it is given. Revisit why the
# tells: critic must persist: Q gets a useful gradient only from a critic near its optimum.
def train_wgan(train_critic, critic, critic_optimizer, mu, raw_scale, q_optimizer, x_data,
               n_iterations, n_critic=5, batch_size=256):
    history = {
        "estimate": [],
        "mu": [mu.detach().clone()],
        "scale_tril": [scale_tril_from_raw(raw_scale).detach().clone()],
    }
    for _ in range(n_iterations):
        fresh = make_critic()
        fresh_optimizer = torch.optim.Adam(fresh.parameters(), lr=CRITIC_LR, betas=(0.5, 0.9))
        x_p = x_data[torch.randint(0, len(x_data), (batch_size,))]
        with torch.no_grad():
            x_q = make_q(mu, raw_scale).sample((batch_size,))
        train_critic(x_p, x_q, fresh, fresh_optimizer, steps=n_critic)
        with torch.no_grad():
            history["estimate"].append((fresh(x_p).mean() - fresh(x_q).mean()).item())
        generator_step(fresh, mu, raw_scale, q_optimizer, batch_size)
        history["mu"].append(mu.detach().clone())
        history["scale_tril"].append(scale_tril_from_raw(raw_scale).detach().clone())
    return history
