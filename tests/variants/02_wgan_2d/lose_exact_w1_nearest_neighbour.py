# Sends every x to its nearest y (several x may share one y), which is not a transport plan.
# kind: pitfall
# caught: visible
# replaces: exact_w1__solution
# loses: exact_w1__tests
# tells: it sends every point to its nearest neighbour in the other cloud, so several points may share one
# tells: partner. That is not a transport plan: each point must be matched to exactly one other (a
# tells: permutation), which is what the assignment problem finds.
def exact_w1(x, y):
    x = x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    y = y.detach().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    return float(cdist(x, y).min(axis=1).mean())
