# Solves the assignment with squared Euclidean distances (the W2^2 cost) instead of distances.
# replaces: exact_w1__solution
# loses: exact_w1__tests
# tells: it solves the assignment with squared Euclidean distances, which is the cost of W2 squared, not of
# tells: W1. The cost of moving a point is its plain Euclidean distance.
def exact_w1(x, y):
    x = x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    y = y.detach().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    cost = cdist(x, y, "sqeuclidean")
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())
