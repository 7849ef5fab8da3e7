# Naive p * (log p - log q): where p = 0 this is 0 * (-inf) = nan.
# kind: pitfall
# caught: visible
# replaces: kl__solution
# loses: kl__tests
# tells: where a probability of p is 0 it computes 0 times log 0, which is nan in floating point. The convention 0 log
# tells: 0 = 0 must be built in, for example with torch.xlogy.
import torch


def discrete_kl_divergence(p_probs, q_probs):
    return (p_probs * (torch.log(p_probs) - torch.log(q_probs))).sum()
