# Noises the batch one example at a time and stacks the rows.
# kind: style
# replaces: q_sample__solution
import torch


def q_sample(x0, t, noise, schedule):
    rows = []
    for i in range(x0.shape[0]):
        a = schedule.alpha_bars[t[i]]
        rows.append(a ** 0.5 * x0[i] + (1 - a) ** 0.5 * noise[i])
    return torch.stack(rows)
