# Keeps the natural-looking grid [0, 15]: it cuts off q's tail, so the KL minimum lands near 0.594 instead of 0.605.
# kind: pitfall
# caught: visible
# replaces: grid__solution
# loses: grid__tests
import torch

z_grid = torch.linspace(0.0, 15.0, 2000, dtype=torch.float64)
