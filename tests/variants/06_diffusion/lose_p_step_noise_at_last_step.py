# Clips the log posterior variance the way some DDPM code does (the variance of t = 2 reused at t = 1) and adds
# the noise at every step, the last one included.
# kind: pitfall
# caught: visible
# replaces: p_step__solution
# loses: p_step__tests ddpm__tests
# tells: it adds noise at the last step t = 1, so the noise stays in the sample. Revisit section 8: x_0 is the
# tells: mean of the last step, with no noise added.
import torch


def p_sample_step(model, x_t, t, schedule, noise):
    eps = model(x_t, torch.full((x_t.shape[0],), t, dtype=torch.long, device=x_t.device))
    mean = (x_t - schedule.betas[t] / (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alphas[t].sqrt()
    step = max(t, 2)
    variance = (1.0 - schedule.alpha_bars[step - 1]) / (1.0 - schedule.alpha_bars[step]) * schedule.betas[step]
    return mean + torch.exp(0.5 * torch.log(variance)) * noise
