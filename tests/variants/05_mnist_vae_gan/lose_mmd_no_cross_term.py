# Forgets the cross term -2 mean k(x_i, y_j) and returns only the two within-sample means.
# replaces: mmd__solution
# loses: mmd__values mmd__properties
# demo: partial-student
# tells: it leaves out the cross term, minus twice the mean of k(x_i, y_j), so it never compares the two
# tells: samples with each other. Revisit the formula: the within-sample means of x and of y, minus twice the
# tells: cross mean.
import torch


def mmd2(x, y, sigma):
    x, y = x.reshape(x.shape[0], -1), y.reshape(y.shape[0], -1)
    n, m = x.shape[0], y.shape[0]
    k_xx = torch.exp(-torch.cdist(x, x) ** 2 / (2 * sigma ** 2))
    k_yy = torch.exp(-torch.cdist(y, y) ** 2 / (2 * sigma ** 2))
    return (k_xx.sum() - k_xx.diagonal().sum()) / (n * (n - 1)) + (k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
