# Predicts x0 from the noise guess and takes the posterior mean in its x0 / x_t form; the noise is masked at t = 1.
# kind: style
# replaces: p_step__solution
import torch


def p_sample_step(model, x_t, t, schedule, noise):
    ab, ab_prev = schedule.alpha_bars[t], schedule.alpha_bars[t - 1]
    beta, alpha = schedule.betas[t], schedule.alphas[t]
    eps = model(x_t, t * torch.ones(x_t.shape[0], dtype=torch.long, device=x_t.device))
    x0_hat = (x_t - torch.sqrt(1 - ab) * eps) / torch.sqrt(ab)
    mean = torch.sqrt(ab_prev) * beta / (1 - ab) * x0_hat + torch.sqrt(alpha) * (1 - ab_prev) / (1 - ab) * x_t
    sigma = torch.sqrt((1 - ab_prev) / (1 - ab) * beta)
    return mean + (t > 1) * sigma * noise
