# Draws a single t for the whole mini-batch.
# kind: procedure
# caught: visible
# replaces: loss__solution
# loses: loss__tests
# tells: it draws one t for the whole batch, so each gradient step trains a single noise level and the loss jumps
# tells: from batch to batch. Revisit the objective: t is part of the expectation for every example, one draw each.
import torch
import torch.nn.functional as F


def diffusion_loss(model, x0, schedule):
    t = torch.randint(1, schedule.T + 1, (1,), device=x0.device).expand(x0.shape[0])
    noise = torch.randn_like(x0)
    return F.mse_loss(model(q_sample(x0, t, noise, schedule), t), noise)
