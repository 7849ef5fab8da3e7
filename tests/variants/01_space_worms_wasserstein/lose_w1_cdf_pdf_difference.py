# Differences the pmfs instead of the CDFs (that is twice the total variation distance, blind to geometry).
# replaces: w1_cdf__solution
# loses: w1_cdf__values w1_cdf__gradient landing__tests
# tells: it compares the probabilities outcome by outcome instead of comparing the cumulative sums. That measures how
# tells: much mass differs, not how far it has to move; revisit the CDF form of W1.
import torch


def compute_wasserstein_distance(p_probs, q_probs):
    return (p_probs - q_probs).abs().sum()
