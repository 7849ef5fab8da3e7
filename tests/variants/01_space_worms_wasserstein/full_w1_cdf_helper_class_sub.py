# A small CDF helper class whose __sub__ and __abs__ do the arithmetic; an honest style the static scan once zeroed.
# kind: style
# replaces: w1_cdf__solution
import torch


class Cdf:
    """The running sums of a pmf; subtracting two gives the pointwise difference."""

    def __init__(self, pmf):
        self.values = torch.cumsum(pmf, dim=0)

    def __sub__(self, other):
        return Cdf.__new__(Cdf)._with(self.values - other.values)

    def __abs__(self):
        return self.values.abs()

    def _with(self, values):
        self.values = values
        return self

    def __repr__(self):
        return f"Cdf({self.values.tolist()})"


def compute_wasserstein_distance(p_probs, q_probs):
    return abs(Cdf(p_probs) - Cdf(q_probs)).sum()
