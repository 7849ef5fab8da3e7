# Computes the right value through NumPy and wraps it in a new tensor, so no gradient reaches the inputs.
# kind: pitfall
# caught: visible
# replaces: w1_cdf__solution
# loses: w1_cdf__gradient landing__tests
# tells: its value is right, but it is computed outside torch (through NumPy or a new tensor), so no gradient reaches
# tells: the probabilities and the fit below cannot learn. Keep every step in torch operations on the input tensors.
import numpy as np
import torch


def compute_wasserstein_distance(p_probs, q_probs):
    p = p_probs.detach().cpu().numpy()
    q = q_probs.detach().cpu().numpy()
    return torch.tensor(np.abs(np.cumsum(p) - np.cumsum(q)).sum())
