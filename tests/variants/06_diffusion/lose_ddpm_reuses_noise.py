# Draws one noise tensor before the loop and passes it to every step.
# kind: procedure
# caught: visible
# replaces: ddpm__solution
# loses: ddpm__tests ddpm__trend
# tells: it reuses one noise tensor for every step, so the noise of all steps adds up coherently instead of
# tells: averaging out, and the samples come out with the wrong spread. Revisit the sampler: a fresh z at every step.
import torch


def ddpm_sample(model, shape, schedule):
    with torch.no_grad():
        x = torch.randn(shape, device=schedule.betas.device, dtype=schedule.betas.dtype)
        z = torch.randn_like(x)
        for t in range(schedule.T, 0, -1):
            x = p_sample_step(model, x, t, schedule, z)
    return x
