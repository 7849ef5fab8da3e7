# Averages over the whole kernel matrices, diagonal included (the biased V-statistic).
# kind: pitfall
# caught: visible
# replaces: mmd__solution
# loses: mmd__values mmd__properties
# tells: it averages over the whole kernel matrices, diagonal included (the biased V-statistic), so two
# tells: samples of the same distribution look different. The unbiased estimate leaves out the terms k(x_i,
# tells: x_i) of the within-sample means.
import torch


def mmd2(x, y, sigma):
    x, y = x.reshape(x.shape[0], -1), y.reshape(y.shape[0], -1)

    def kernel(a, b):
        return torch.exp(-torch.cdist(a, b) ** 2 / (2 * sigma ** 2))

    return kernel(x, x).mean() + kernel(y, y).mean() - 2 * kernel(x, y).mean()
