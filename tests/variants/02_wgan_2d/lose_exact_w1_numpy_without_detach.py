# Calls .numpy() without detaching: crashes for inputs that require grad. (From a student's read-through.)
# kind: contract-requirement
# caught: visible
# replaces: exact_w1__solution
# loses: exact_w1__tests
def exact_w1(x, y):
    x = x.numpy() if isinstance(x, torch.Tensor) else x
    y = y.numpy() if isinstance(y, torch.Tensor) else y
    cost = cdist(x, y)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())
