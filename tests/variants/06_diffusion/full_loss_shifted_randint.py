# Draws t as randint(0, T) + 1 and writes the mean of squares by hand.
# kind: style
# replaces: loss__solution
import torch


def diffusion_loss(model, x0, schedule):
    batch = x0.shape[0]
    t = torch.randint(0, schedule.T, (batch,), device=x0.device) + 1
    eps = torch.randn(x0.shape, device=x0.device, dtype=x0.dtype)
    residual = model(q_sample(x0, t, eps, schedule), t) - eps
    return (residual ** 2).mean()
