# Reshapes the coefficients for 2-D points and 4-D images only.
# kind: procedure
# replaces: q_sample__solution
# loses: q_sample__tests
# tells: it reshapes the coefficients for two particular input shapes only, so a batch of another shape (for example
# tells: [B, 28, 28]) is noised wrongly or fails. Revisit the How: [B] followed by one 1 per further dimension of x0.
def q_sample(x0, t, noise, schedule):
    alpha_bar = schedule.alpha_bars[t]
    alpha_bar = alpha_bar.view(-1, 1, 1, 1) if x0.dim() == 4 else alpha_bar.view(-1, 1)
    return alpha_bar.sqrt() * x0 + (1.0 - alpha_bar).sqrt() * noise
