# Squared distances from |a|^2 + |b|^2 - 2 a.b (clamped at 0), diagonal removed with a boolean mask.
# kind: style
# replaces: mmd__solution
import torch


def mmd2(x, y, sigma):
    x, y = x.flatten(1), y.flatten(1)

    def kernel(a, b):
        squared = (a * a).sum(1, keepdim=True) + (b * b).sum(1) - 2 * a @ b.T
        return torch.exp(-squared.clamp(min=0) / (2 * sigma ** 2))

    def off_diagonal_mean(k):
        mask = ~torch.eye(k.shape[0], dtype=torch.bool, device=k.device)
        return k[mask].mean()

    return off_diagonal_mean(kernel(x, x)) + off_diagonal_mean(kernel(y, y)) - 2 * kernel(x, y).mean()
