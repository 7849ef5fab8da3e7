# Draws a torch.Size of samples and averages the log-density differences in float64 (sum / N); correct.
# kind: style
# replaces: kl_monte_carlo__solution
import torch


def kl_monte_carlo(p, q, n_samples):
    x = p.sample(torch.Size([n_samples]))
    differences = (p.log_prob(x) - q.log_prob(x)).to(torch.float64)
    return differences.sum() / n_samples
