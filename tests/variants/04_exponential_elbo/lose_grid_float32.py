# Builds z_grid in float32, although the task asks for a float64 tensor.
# kind: contract-requirement
# replaces: grid__solution
# loses: grid__tests
import torch

z_grid = torch.linspace(0.0, 60.0, 12001)
