# Uses sigma_t^2 = beta_t, the other choice of Ho et al., where the task prescribes the posterior variance.
# kind: contract-requirement
# caught: visible
# replaces: p_step__solution
# loses: p_step__tests ddpm__tests
# tells: it adds noise with variance beta_t; the task asks for the posterior variance
# tells: (1 - alpha_bar_(t-1)) / (1 - alpha_bar_t) * beta_t, which is smaller, and the samples come out too spread.
# tells: Revisit section 8 and the posterior q(x_(t-1) | x_t, x_0) of section 5.
import torch


def p_sample_step(model, x_t, t, schedule, noise):
    eps = model(x_t, torch.full((x_t.shape[0],), t, dtype=torch.long, device=x_t.device))
    mean = (x_t - schedule.betas[t] / (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alphas[t].sqrt()
    if t == 1:
        return mean
    return mean + schedule.betas[t].sqrt() * noise
