# Draws t from 0..T-1: torch.randint(0, T, ...), as if t were an index starting at 0.
# kind: pitfall
# caught: visible
# replaces: loss__solution
# loses: loss__tests
# tells: it draws t from 0..T-1: t = 0 is the clean data (no noise to predict at all) and the noisiest step T is
# tells: never trained, yet sampling starts there. Revisit the conventions: noised samples have t in 1..T, and
# tells: torch.randint's upper bound is exclusive, so it is randint(1, T + 1).
import torch
import torch.nn.functional as F


def diffusion_loss(model, x0, schedule):
    t = torch.randint(0, schedule.T, (x0.shape[0],), device=x0.device)
    noise = torch.randn_like(x0)
    return F.mse_loss(model(q_sample(x0, t, noise, schedule), t), noise)
