# Walks reversed(range(1, T + 1)) and draws the noise with torch.randn of the batch's shape.
# kind: style
# replaces: ddpm__solution
import torch


@torch.no_grad()
def ddpm_sample(model, shape, schedule):
    dtype, device = schedule.betas.dtype, schedule.betas.device
    x = torch.randn(*shape, dtype=dtype, device=device)
    for t in reversed(range(1, schedule.T + 1)):
        x = p_sample_step(model, x, t, schedule, torch.randn(x.shape, dtype=dtype, device=device))
    return x
