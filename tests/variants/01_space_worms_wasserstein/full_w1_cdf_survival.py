# W1 through survival functions S(k) = P(X > k), summed from the top: equal on pmfs, and its gradient differs
# from the CDF form's by the same constant on every component, a direction the contract leaves free.
# kind: contract-freedom
# replaces: w1_cdf__solution
import torch


def compute_wasserstein_distance(p_probs, q_probs):
    survival_p = torch.flip(torch.cumsum(torch.flip(p_probs, [0]), 0), [0])[1:]
    survival_q = torch.flip(torch.cumsum(torch.flip(q_probs, [0]), 0), [0])[1:]
    return (survival_p - survival_q).abs().sum()
