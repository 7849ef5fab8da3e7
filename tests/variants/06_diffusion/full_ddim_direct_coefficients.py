# Writes the step as x_s = sqrt(ab_s / ab_t) x_t + (sqrt(1 - ab_s) - sqrt(ab_s (1 - ab_t) / ab_t)) eps.
# kind: style
# replaces: ddim__solution
import torch


def ddim_sample(model, x_T, schedule, timesteps):
    x = x_T
    timesteps = list(timesteps)
    for i, t in enumerate(timesteps):
        s = timesteps[i + 1] if i + 1 < len(timesteps) else 0
        ab_t, ab_s = schedule.alpha_bars[t], schedule.alpha_bars[s]
        with torch.no_grad():
            eps = model(x, torch.full((x.shape[0],), t, device=x.device, dtype=torch.long))
        x = torch.sqrt(ab_s / ab_t) * x + (torch.sqrt(1 - ab_s) - torch.sqrt(ab_s * (1 - ab_t) / ab_t)) * eps
    return x
