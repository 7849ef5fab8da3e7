# Adds the scaled noise guess instead of subtracting it.
# kind: pitfall
# caught: visible
# replaces: p_step__solution
# loses: p_step__tests ddpm__tests ddpm__trend
# tells: it adds beta_t / sqrt(1 - alpha_bar_t) times the noise guess to x_t; x_t contains +sqrt(1 - alpha_bar_t) eps,
# tells: so removing noise means subtracting. Revisit the posterior mean mu_t in terms of eps (section 5).
import torch


def p_sample_step(model, x_t, t, schedule, noise):
    eps = model(x_t, torch.full((x_t.shape[0],), t, dtype=torch.long, device=x_t.device))
    mean = (x_t + schedule.betas[t] / (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alphas[t].sqrt()
    if t == 1:
        return mean
    variance = (1.0 - schedule.alpha_bars[t - 1]) / (1.0 - schedule.alpha_bars[t]) * schedule.betas[t]
    return mean + variance.sqrt() * noise
