# Naive p * (log p - log q): where p = 0 this is 0 * (-inf) = nan.
# kind: pitfall
# replaces: kl__solution
# loses: kl__tests
import torch


def discrete_kl_divergence(p_probs, q_probs):
    return (p_probs * (torch.log(p_probs) - torch.log(q_probs))).sum()
