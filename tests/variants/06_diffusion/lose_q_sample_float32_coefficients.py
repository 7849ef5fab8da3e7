# Copies the coefficients through a Python list into a float32 tensor, losing float64 precision.
# kind: procedure
# replaces: q_sample__solution
# loses: q_sample__tests loss__tests
import torch


def q_sample(x0, t, noise, schedule):
    alpha_bar = torch.tensor(schedule.alpha_bars[t].tolist()).reshape(-1, *([1] * (x0.dim() - 1)))
    return alpha_bar.sqrt() * x0 + (1.0 - alpha_bar).sqrt() * noise
