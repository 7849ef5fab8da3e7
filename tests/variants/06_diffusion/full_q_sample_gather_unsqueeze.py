# Gathers the coefficients with torch.gather and adds trailing dimensions one at a time.
# kind: style
# replaces: q_sample__solution
import torch


def q_sample(x0, t, noise, schedule):
    signal = torch.sqrt(torch.gather(schedule.alpha_bars, 0, t))
    spread = torch.sqrt(1 - torch.gather(schedule.alpha_bars, 0, t))
    while signal.dim() < x0.dim():
        signal, spread = signal.unsqueeze(-1), spread.unsqueeze(-1)
    return signal * x0 + spread * noise
