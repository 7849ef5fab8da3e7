# Starts the grid at 0.05 to stay away from z = 0, and so misses the part of q with the highest density.
# replaces: grid__solution
# loses: grid__tests
import torch

z_grid = torch.linspace(0.05, 60.0, 6000, dtype=torch.float64)
