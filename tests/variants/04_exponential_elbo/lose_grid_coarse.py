# Wide enough but far too coarse: 150 points on [0, 60], a spacing of 0.4, about the posterior's width.
# replaces: grid__solution
# loses: grid__tests
import torch

z_grid = torch.linspace(0.0, 60.0, 150, dtype=torch.float64)
