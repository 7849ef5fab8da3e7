# Uses alpha_t instead of alpha_bar_t in the guess of x0.
# kind: procedure
# caught: visible
# replaces: ddim__solution
# loses: ddim__tests
# tells: its guess of x0 uses alpha_t of one step; solving x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps for
# tells: x0 needs alpha_bar_t. Revisit the closed form of section 1.
import torch


def ddim_sample(model, x_T, schedule, timesteps):
    steps = list(timesteps) + [0]
    x = x_T
    with torch.no_grad():
        for t, s in zip(steps[:-1], steps[1:]):
            eps = model(x, torch.full((x.shape[0],), t, dtype=torch.long, device=x.device))
            x0_hat = (x - (1.0 - schedule.alphas[t]).sqrt() * eps) / schedule.alphas[t].sqrt()
            x = schedule.alpha_bars[s].sqrt() * x0_hat + (1.0 - schedule.alpha_bars[s]).sqrt() * eps
    return x
