# Draws the noise from a generator seeded inside the function: the same noise on every call.
# kind: procedure
# replaces: loss__solution
# loses: loss__tests ddpm__trend
# tells: it seeds a generator inside the loss, so every call uses the same noise and the network sees only one
# tells: noise pattern per x0 and t. Revisit the objective: eps is a fresh draw for every example on every step,
# tells: from the global random state (torch.randn_like).
import torch
import torch.nn.functional as F


def diffusion_loss(model, x0, schedule):
    t = torch.randint(1, schedule.T + 1, (x0.shape[0],), device=x0.device)
    generator = torch.Generator().manual_seed(0)
    noise = torch.randn(x0.shape, generator=generator, dtype=x0.dtype).to(x0.device)
    return F.mse_loss(model(q_sample(x0, t, noise, schedule), t), noise)
