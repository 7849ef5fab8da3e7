# Sign error in the score: uses z - 1/theta instead of d log q / d theta = 1/theta - z.
# replaces: score__solution
# loses: score__tests
# tells: it flips the sign of the score: the derivative of log q_theta(z) = log(theta) - theta z with respect
# tells: to theta is 1/theta - z, not z - 1/theta, so the estimate points the wrong way.
import torch


def score_function_gradient(theta, x, lam, num_samples, generator=None):
    with torch.no_grad():
        theta = torch.as_tensor(theta, dtype=x.dtype)
        z = torch.empty(num_samples, dtype=x.dtype).exponential_(generator=generator) / theta
        f = log_joint(z, x, lam) - (torch.log(theta) - theta * z)
        return (f * (z - 1.0 / theta)).mean()
