# Passes zeros as the noise of every step: the chain follows its means only.
# kind: procedure
# caught: visible
# replaces: ddpm__solution
# loses: ddpm__tests ddpm__trend
# tells: it gives every step zero noise, so the chain follows the means only and the samples collapse towards the
# tells: modes. Revisit section 8: the ancestral sampler adds fresh noise sigma_t z at every step but the last.
import torch


def ddpm_sample(model, shape, schedule):
    with torch.no_grad():
        x = torch.randn(shape, device=schedule.betas.device, dtype=schedule.betas.dtype)
        for t in range(schedule.T, 0, -1):
            x = p_sample_step(model, x, t, schedule, torch.zeros_like(x))
    return x
