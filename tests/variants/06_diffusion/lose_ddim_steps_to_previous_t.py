# Moves from t to t - 1 instead of to the next listed timestep.
# kind: pitfall
# caught: visible
# replaces: ddim__solution
# loses: ddim__tests
# demo: partial-student
# tells: after step t it moves to the noise level of t - 1, though the next call of the model is at the next listed
# tells: timestep: the sample and the model disagree about how noisy it is. Revisit section 10: x_s with s the next
# tells: entry of the sequence (0 after the last).
import torch


def ddim_sample(model, x_T, schedule, timesteps):
    x = x_T
    with torch.no_grad():
        for t in timesteps:
            eps = model(x, torch.full((x.shape[0],), t, dtype=torch.long, device=x.device))
            x0_hat = (x - (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alpha_bars[t].sqrt()
            s = t - 1
            x = schedule.alpha_bars[s].sqrt() * x0_hat + (1.0 - schedule.alpha_bars[s]).sqrt() * eps
    return x
