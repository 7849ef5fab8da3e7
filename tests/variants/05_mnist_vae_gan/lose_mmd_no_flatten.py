# Does not flatten the images before the distances. (From a student's read-through.)
# kind: contract-requirement
# caught: visible
# replaces: mmd__solution
# loses: mmd__values mmd__properties
def mmd2(x, y, sigma):
    k = lambda a, b: torch.exp(-torch.cdist(a, b) ** 2 / (2 * sigma ** 2))
    kxx, kyy = k(x, x), k(y, y)
    n, m = len(x), len(y)
    return (kxx.sum() - kxx.diagonal().sum()) / (n * (n - 1)) + (kyy.sum() - kyy.diagonal().sum()) / (m * (m - 1)) - 2 * k(x, y).mean()
