# A while loop that counts t down, without torch.no_grad (the results are the same, only memory differs).
# kind: style
# replaces: ddpm__solution
import torch


def ddpm_sample(model, shape, schedule):
    x = torch.randn(shape, device=schedule.betas.device, dtype=schedule.betas.dtype)
    t = schedule.T
    while t >= 1:
        x = p_sample_step(model, x, t, schedule, torch.randn_like(x)).detach()
        t -= 1
    return x
