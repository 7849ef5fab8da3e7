# Calls the model with a float tensor of steps instead of int64.
# kind: contract-requirement
# caught: visible
# replaces: p_step__solution
# loses: p_step__tests ddpm__tests
# tells: it gives the model t as floats; the steps are integers that index the schedule, and the samplers' models
# tells: may use them as indices. Revisit the How of section 8: torch.full((B,), t, dtype=torch.long).
import torch


def p_sample_step(model, x_t, t, schedule, noise):
    eps = model(x_t, torch.full((x_t.shape[0],), float(t), device=x_t.device))
    mean = (x_t - schedule.betas[t] / (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alphas[t].sqrt()
    if t == 1:
        return mean
    variance = (1.0 - schedule.alpha_bars[t - 1]) / (1.0 - schedule.alpha_bars[t]) * schedule.betas[t]
    return mean + variance.sqrt() * noise
