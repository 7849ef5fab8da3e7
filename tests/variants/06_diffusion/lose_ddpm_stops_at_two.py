# Loops over range(T, 1, -1): the last step, t = 1, is never taken.
# kind: pitfall
# caught: visible
# replaces: ddpm__solution
# loses: ddpm__tests
# tells: its loop stops at t = 2, so the result is x_1, still carrying the noise of one step. Revisit the sampler:
# tells: T calls, from t = T down to t = 1 inclusive, which is range(T, 0, -1).
import torch


def ddpm_sample(model, shape, schedule):
    with torch.no_grad():
        x = torch.randn(shape, device=schedule.betas.device, dtype=schedule.betas.dtype)
        for t in range(schedule.T, 1, -1):
            x = p_sample_step(model, x, t, schedule, torch.randn_like(x))
    return x
