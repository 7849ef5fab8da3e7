# Divides the mean by sqrt(alpha_bar_t) instead of sqrt(alpha_t).
# kind: procedure
# caught: visible
# replaces: p_step__solution
# loses: p_step__tests ddpm__tests ddpm__trend
# tells: it divides by sqrt(alpha_bar_t); one reverse step undoes one forward step, which shrank the signal by
# tells: sqrt(alpha_t) only. Revisit the mean mu_theta of section 8: alpha_t of this step in front, alpha_bar_t only
# tells: in the noise's coefficient.
import torch


def p_sample_step(model, x_t, t, schedule, noise):
    eps = model(x_t, torch.full((x_t.shape[0],), t, dtype=torch.long, device=x_t.device))
    mean = (x_t - schedule.betas[t] / (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alpha_bars[t].sqrt()
    if t == 1:
        return mean
    variance = (1.0 - schedule.alpha_bars[t - 1]) / (1.0 - schedule.alpha_bars[t]) * schedule.betas[t]
    return mean + variance.sqrt() * noise
