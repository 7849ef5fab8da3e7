# Converts every input to a plain list of floats and passes the weights positionally; correct.
# kind: style
# replaces: w1_scipy__solution
from scipy.stats import wasserstein_distance


def wasserstein_distance_for_pdf(p_probs, q_probs):
    """W1 between two pmfs on 0..n-1 via scipy, inputs turned into Python lists first."""
    def as_list(x):
        if hasattr(x, "detach"):
            x = x.detach().cpu().tolist()
        return [float(v) for v in x]

    p, q = as_list(p_probs), as_list(q_probs)
    values = list(range(len(p)))
    return float(wasserstein_distance(values, values, p, q))
