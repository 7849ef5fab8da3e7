# Returns the total distance of the optimal matching instead of its mean (forgets the weights 1/n).
# replaces: exact_w1__solution
# loses: exact_w1__tests
# tells: it returns the total distance of the optimal matching instead of its mean. Every point carries the
# tells: weight 1/n, so the cost of the plan is the average of the matched distances.
def exact_w1(x, y):
    x = x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    y = y.detach().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    cost = cdist(x, y)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].sum())
