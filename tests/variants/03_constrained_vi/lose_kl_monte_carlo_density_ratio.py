# Averages log(p(x) / q(x)) computed from densities: where q(x) underflows to 0 the ratio is inf.
# kind: pitfall
# caught: visible
# replaces: kl_monte_carlo__solution
# loses: kl_monte_carlo__values
# demo: partial-student
# tells: it averages the log of a ratio of densities. Where q(x) underflows to 0 in float32 (a wide p against
# tells: a narrow q) the ratio is inf, although the difference of the log densities is an ordinary number.
# tells: Revisit why the estimator is built from log_prob differences.
import torch


def kl_monte_carlo(p, q, n_samples):
    x = p.sample((n_samples,))
    return torch.log(p.log_prob(x).exp() / q.log_prob(x).exp()).mean()
