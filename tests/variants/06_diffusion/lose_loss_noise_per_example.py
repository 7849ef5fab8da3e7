# Draws one noise value per example and shares it between all the example's coordinates.
# kind: procedure
# replaces: loss__solution
# loses: loss__tests ddpm__trend
# tells: it draws one noise value per example and repeats it over all coordinates (or pixels), so the noise is not
# tells: N(0, I). Revisit the forward process: eps has one independent standard normal entry per coordinate.
import torch
import torch.nn.functional as F


def diffusion_loss(model, x0, schedule):
    t = torch.randint(1, schedule.T + 1, (x0.shape[0],), device=x0.device)
    noise = torch.randn(x0.shape[0], *([1] * (x0.dim() - 1)), dtype=x0.dtype, device=x0.device).expand_as(x0)
    return F.mse_loss(model(q_sample(x0, t, noise, schedule), t), noise)
