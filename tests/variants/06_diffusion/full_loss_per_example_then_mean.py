# Averages the squared error per example first, then over the batch (the same mean for equal-size examples).
# kind: style
# replaces: loss__solution
import torch


def diffusion_loss(model, x0, schedule):
    t = torch.randint(1, schedule.T + 1, size=(len(x0),)).to(x0.device)
    noise = torch.randn_like(x0)
    x_t = q_sample(x0, t, noise, schedule)
    per_example = (noise - model(x_t, t)).pow(2).flatten(1).mean(dim=1)
    return per_example.mean()
