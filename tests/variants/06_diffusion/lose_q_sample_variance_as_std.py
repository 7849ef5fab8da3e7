# Multiplies the noise by the variance 1 - alpha_bar_t instead of the standard deviation sqrt(1 - alpha_bar_t).
# kind: pitfall
# caught: visible
# replaces: q_sample__solution
# loses: q_sample__tests loss__tests
# tells: it scales the noise by the variance 1 - alpha_bar_t; a N(0, v) variable is sqrt(v) times a standard normal,
# tells: so the coefficient is sqrt(1 - alpha_bar_t). Revisit the closed form of q(x_t | x_0) in section 1.
def q_sample(x0, t, noise, schedule):
    alpha_bar = schedule.alpha_bars[t].reshape(-1, *([1] * (x0.dim() - 1)))
    return alpha_bar.sqrt() * x0 + (1.0 - alpha_bar) * noise
