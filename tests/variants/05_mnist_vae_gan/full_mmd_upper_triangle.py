# Sums the within-sample kernels over the upper triangle (i < j) and doubles them; distances in float64.
# kind: style
# replaces: mmd__solution
import torch


def mmd2(x, y, sigma):
    dtype = x.dtype
    x = x.reshape(len(x), -1).double()
    y = y.reshape(len(y), -1).double()
    n, m = len(x), len(y)

    def gram(a, b):
        return torch.exp(-torch.cdist(a, b).square() / (2 * sigma ** 2))

    upper_x = torch.triu(gram(x, x), diagonal=1).sum() * 2 / (n * (n - 1))
    upper_y = torch.triu(gram(y, y), diagonal=1).sum() * 2 / (m * (m - 1))
    return (upper_x + upper_y - 2 * gram(x, y).sum() / (n * m)).to(dtype)
