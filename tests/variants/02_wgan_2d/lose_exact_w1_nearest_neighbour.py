# Sends every x to its nearest y (several x may share one y), which is not a transport plan.
# replaces: exact_w1__solution
# loses: exact_w1__tests
def exact_w1(x, y):
    x = x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    y = y.detach().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    return float(cdist(x, y).min(axis=1).mean())
