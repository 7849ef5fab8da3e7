# Names the two coefficients first and always adds sigma * noise (sigma_1 = 0 because alpha_bar_0 = 1).
# kind: style
# replaces: p_step__solution
import torch


def p_sample_step(model, x_t, t, schedule, noise):
    t_batch = torch.full((len(x_t),), t, device=x_t.device, dtype=torch.int64)
    scale = 1 / schedule.alphas[t] ** 0.5
    eps_coefficient = schedule.betas[t] / (1 - schedule.alpha_bars[t]) ** 0.5
    sigma = ((1 - schedule.alpha_bars[t - 1]) / (1 - schedule.alpha_bars[t]) * schedule.betas[t]) ** 0.5
    return scale * (x_t - eps_coefficient * model(x_t, t_batch)) + sigma * noise
