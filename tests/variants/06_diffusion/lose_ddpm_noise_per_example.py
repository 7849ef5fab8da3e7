# Draws one noise value per example at each step and shares it between the example's coordinates.
# kind: procedure
# replaces: ddpm__solution
# loses: ddpm__tests ddpm__trend
# tells: its step noise has one value per example, repeated over the coordinates, so it is not N(0, I). Revisit the
# tells: reverse step: z ~ N(0, I), one independent value per entry (torch.randn_like(x)).
import torch


def ddpm_sample(model, shape, schedule):
    with torch.no_grad():
        x = torch.randn(shape, device=schedule.betas.device, dtype=schedule.betas.dtype)
        for t in range(schedule.T, 0, -1):
            z = torch.randn(shape[0], *([1] * (len(shape) - 1)), device=x.device, dtype=x.dtype).expand_as(x)
            x = p_sample_step(model, x, t, schedule, z)
    return x
