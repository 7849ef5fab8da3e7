# Computes the right number with scipy but wraps it in a torch tensor instead of returning a Python float.
# replaces: w1_scipy__solution
# loses: w1_scipy__tests
# tells: its number is right, but it returns a torch tensor where the task asks for a Python float. Convert the result
# tells: before returning it.
import numpy as np
import torch
from scipy.stats import wasserstein_distance


def wasserstein_distance_for_pdf(p_probs, q_probs):
    """W1 between two pmfs (wrong: returns a 0-dim tensor)."""
    p = p_probs.detach().numpy() if isinstance(p_probs, torch.Tensor) else np.asarray(p_probs, dtype=float)
    q = q_probs.detach().numpy() if isinstance(q_probs, torch.Tensor) else np.asarray(q_probs, dtype=float)
    support = np.arange(len(p))
    return torch.tensor(wasserstein_distance(support, support, p, q))
