# Places the n outcomes on [0, 1] (np.linspace) instead of at the tooth counts 0, 1, ..., n-1, shrinking every distance.
# replaces: w1_scipy__solution
# loses: w1_scipy__tests
# tells: it places the outcomes between 0 and 1 instead of at the tooth counts 0, 1, ..., n-1, which shrinks every
# tells: distance. W1 is measured in units of the support: revisit which values the outcomes take.
import numpy as np
import torch
from scipy.stats import wasserstein_distance


def wasserstein_distance_for_pdf(p_probs, q_probs):
    """W1 between two pmfs (wrong: support rescaled to the unit interval)."""
    p = p_probs.detach().numpy() if isinstance(p_probs, torch.Tensor) else np.asarray(p_probs, dtype=float)
    q = q_probs.detach().numpy() if isinstance(q_probs, torch.Tensor) else np.asarray(q_probs, dtype=float)
    support = np.linspace(0.0, 1.0, len(p))
    return float(wasserstein_distance(support, support, u_weights=p, v_weights=q))
