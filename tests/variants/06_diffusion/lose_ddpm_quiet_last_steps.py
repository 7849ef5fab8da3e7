# Adds no noise in the last three steps, to "let the sample settle".
# kind: procedure
# replaces: ddpm__solution
# loses: ddpm__tests
# tells: it drops the noise of the last few steps; the ancestral sampler adds sigma_t z at every step t > 1 (only
# tells: t = 1 has none), otherwise the samples come out too narrow. Revisit section 8.
import torch


def ddpm_sample(model, shape, schedule):
    with torch.no_grad():
        x = torch.randn(shape, device=schedule.betas.device, dtype=schedule.betas.dtype)
        for t in range(schedule.T, 0, -1):
            z = torch.randn_like(x) if t > 3 else torch.zeros_like(x)
            x = p_sample_step(model, x, t, schedule, z)
    return x
