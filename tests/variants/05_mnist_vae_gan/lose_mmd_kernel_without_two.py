# Uses the kernel exp(-|a - b|^2 / sigma^2), without the factor 2 in the denominator.
# replaces: mmd__solution
# loses: mmd__values
# tells: it uses the kernel exp(-|a - b|^2 / sigma^2), without the factor 2 in the denominator, which is a
# tells: kernel of another bandwidth. Revisit the definition of the Gaussian kernel in this notebook.
import torch


def mmd2(x, y, sigma):
    x, y = x.reshape(x.shape[0], -1), y.reshape(y.shape[0], -1)
    n, m = x.shape[0], y.shape[0]

    def kernel(a, b):
        return torch.exp(-torch.cdist(a, b) ** 2 / sigma ** 2)

    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    return ((k_xx.sum() - k_xx.diagonal().sum()) / (n * (n - 1)) + (k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
            - 2 * k_xy.mean())
