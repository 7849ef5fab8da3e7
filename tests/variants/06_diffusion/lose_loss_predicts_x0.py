# Compares the model's output with the clean data x0 instead of the noise.
# kind: pitfall
# caught: visible
# replaces: loss__solution
# loses: loss__tests loss__trend ddpm__trend
# tells: its target is x0, but the model is used as a noise predictor by the reverse step. Revisit section 5: the
# tells: simple loss compares eps_theta(x_t, t) with the noise eps that made x_t.
import torch
import torch.nn.functional as F


def diffusion_loss(model, x0, schedule):
    t = torch.randint(1, schedule.T + 1, (x0.shape[0],), device=x0.device)
    noise = torch.randn_like(x0)
    return F.mse_loss(model(q_sample(x0, t, noise, schedule), t), x0)
