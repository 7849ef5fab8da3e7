# Passes the probabilities themselves to scipy as sample values (no weights), so the tooth counts never enter.
# kind: pitfall
# caught: visible
# replaces: w1_scipy__solution
# loses: w1_scipy__tests
# demo: partial-student
# tells: it hands the probabilities to SciPy as if they were observed values. The values are the tooth counts 0, 1,
# tells: ..., n-1; the probabilities are their weights. Revisit the arguments of scipy.stats.wasserstein_distance.
import numpy as np
import torch
from scipy.stats import wasserstein_distance


def wasserstein_distance_for_pdf(p_probs, q_probs):
    """W1 between two pmfs (wrong: the probabilities are treated as sample positions)."""
    p = p_probs.detach().numpy() if isinstance(p_probs, torch.Tensor) else np.asarray(p_probs, dtype=float)
    q = q_probs.detach().numpy() if isinstance(q_probs, torch.Tensor) else np.asarray(q_probs, dtype=float)
    return float(wasserstein_distance(p, q))
