# Builds the distance matrix with torch.cdist in float64 and reads the matched costs with a loop; correct.
# kind: style
# replaces: exact_w1__solution
def exact_w1(x, y):
    x = torch.as_tensor(x).detach().to(torch.float64)
    y = torch.as_tensor(y).detach().to(torch.float64)
    cost = torch.cdist(x, y).numpy()
    rows, cols = linear_sum_assignment(cost)
    total = 0.0
    for i, j in zip(rows, cols):
        total += cost[i, j]
    return total / len(rows)
