# Indexes the schedule with t - 1, as if entry t - 1 belonged to step t.
# kind: procedure
# caught: visible
# replaces: q_sample__solution
# loses: q_sample__tests loss__tests
# tells: it reads alpha_bars[t - 1], the noise level one step earlier: the index is off by one. Revisit the
# tells: conventions of section 1: every schedule tensor is indexed by t itself, with entry 0 for "no noise".
def q_sample(x0, t, noise, schedule):
    alpha_bar = schedule.alpha_bars[t - 1].reshape(-1, *([1] * (x0.dim() - 1)))
    return alpha_bar.sqrt() * x0 + (1.0 - alpha_bar).sqrt() * noise
