# Draws x_T from a generator seeded inside the sampler: every call starts from the same noise.
# kind: procedure
# replaces: ddpm__solution
# loses: ddpm__tests
# tells: it seeds a generator for x_T inside the sampler, so every call starts from the same x_T and independent
# tells: samples are not independent. Revisit the sampler: x_T ~ N(0, I), drawn anew from the global random state.
import torch


def ddpm_sample(model, shape, schedule):
    with torch.no_grad():
        start = torch.randn(shape, generator=torch.Generator().manual_seed(0), dtype=schedule.betas.dtype)
        x = start.to(schedule.betas.device)
        for t in range(schedule.T, 0, -1):
            x = p_sample_step(model, x, t, schedule, torch.randn_like(x))
    return x
