# Appends 0 to the timesteps as a tensor and pairs consecutive entries.
# kind: style
# replaces: ddim__solution
import torch


def ddim_sample(model, x_T, schedule, timesteps):
    ts = torch.tensor(list(timesteps) + [0])
    x = x_T.clone()
    with torch.no_grad():
        for current, following in zip(ts[:-1].tolist(), ts[1:].tolist()):
            a_now, a_next = schedule.alpha_bars[current], schedule.alpha_bars[following]
            eps = model(x, torch.full((len(x),), current, dtype=torch.long, device=x.device))
            x0 = (x - (1 - a_now).sqrt() * eps) / a_now.sqrt()
            x = a_next.sqrt() * x0 + (1 - a_next).sqrt() * eps
    return x
