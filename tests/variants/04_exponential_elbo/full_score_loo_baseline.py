# Score-function estimator with a leave-one-out baseline (mean of f over the other samples): unbiased, lower variance; correct.
# kind: style
# replaces: score__solution
import torch


def score_function_gradient(theta, x, lam, num_samples, generator=None):
    with torch.no_grad():
        theta = torch.as_tensor(theta, dtype=x.dtype)
        z = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator) / theta
        f = log_joint(z, x, lam) - (torch.log(theta) - theta * z)
        if num_samples > 1:
            baseline = (f.sum() - f) / (num_samples - 1)
        else:
            baseline = torch.zeros_like(f)
        return ((f - baseline) * (1.0 / theta - z)).mean()
