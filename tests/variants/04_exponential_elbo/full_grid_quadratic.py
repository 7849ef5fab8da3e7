# Uneven grid z = 100 u^2 (dense near 0, sparse in the far tail), 8001 points; correct.
# kind: style
# replaces: grid__solution
import torch

z_grid = 100.0 * torch.linspace(0.0, 1.0, 8001, dtype=torch.float64) ** 2
