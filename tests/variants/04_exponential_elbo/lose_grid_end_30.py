# Ends the grid at 30: the minimum lands at theta* and KL(theta*) is right, but KL(0.3) is about 0.28 nats too low,
# because q's tail at theta = 0.3 reaches far beyond 30; the contract asks for the whole range [0.3, 2].
# kind: contract-requirement
# replaces: grid__solution
# loses: grid__tests
import torch

z_grid = torch.linspace(0.0, 30.0, 6001, dtype=torch.float64)
