# Appends the final 0 to the caller's list of timesteps.
# kind: procedure
# replaces: ddim__solution
# loses: ddim__tests
# tells: it appends 0 to the caller's list, so the caller's timesteps change and a second call with the same list
# tells: goes wrong. Revisit the contract: build a new list (list(timesteps) + [0]) and leave the input alone.
import torch


def ddim_sample(model, x_T, schedule, timesteps):
    timesteps.append(0)
    x = x_T
    with torch.no_grad():
        for t, s in zip(timesteps[:-1], timesteps[1:]):
            eps = model(x, torch.full((x.shape[0],), t, dtype=torch.long, device=x.device))
            x0_hat = (x - (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alpha_bars[t].sqrt()
            x = schedule.alpha_bars[s].sqrt() * x0_hat + (1.0 - schedule.alpha_bars[s]).sqrt() * eps
    return x
