# Re-noises x0_hat with fresh noise at every step, as DDPM would, instead of reusing the noise guess.
# kind: pitfall
# caught: visible
# replaces: ddim__solution
# loses: ddim__tests
# tells: it puts fresh random noise into every step, so DDIM is no longer deterministic and the same x_T gives
# tells: different samples. Revisit section 10: x_s = sqrt(alpha_bar_s) x0_hat + sqrt(1 - alpha_bar_s) eps_theta,
# tells: with the model's own noise guess.
import torch


def ddim_sample(model, x_T, schedule, timesteps):
    steps = list(timesteps) + [0]
    x = x_T
    with torch.no_grad():
        for t, s in zip(steps[:-1], steps[1:]):
            eps = model(x, torch.full((x.shape[0],), t, dtype=torch.long, device=x.device))
            x0_hat = (x - (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alpha_bars[t].sqrt()
            x = schedule.alpha_bars[s].sqrt() * x0_hat + (1.0 - schedule.alpha_bars[s]).sqrt() * torch.randn_like(x)
    return x
