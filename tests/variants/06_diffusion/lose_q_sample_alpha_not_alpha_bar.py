# Uses alpha_t, the factor of the last step alone, in place of alpha_bar_t.
# kind: pitfall
# caught: visible
# replaces: q_sample__solution
# loses: q_sample__tests loss__tests loss__trend loss__mnist
# tells: it uses alpha_t = 1 - beta_t, the factor of step t alone, where the closed form needs alpha_bar_t, the
# tells: product over steps 1..t. Revisit the induction of section 1: one step from x_0 to x_t jumps over all t steps.
def q_sample(x0, t, noise, schedule):
    alpha = schedule.alphas[t].reshape(-1, *([1] * (x0.dim() - 1)))
    return alpha.sqrt() * x0 + (1.0 - alpha).sqrt() * noise
