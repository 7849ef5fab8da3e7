# Computes KL(q || p) instead of KL(p || q): the arguments are swapped inside the formula.
# replaces: kl__solution
# loses: kl__tests kl_fit__tests
# demo: partial-student
# tells: it computes KL(q || p) instead of KL(p || q). The divergence is not symmetric: the expectation is taken under
# tells: the first argument.
import torch


def discrete_kl_divergence(p_probs, q_probs):
    return (torch.xlogy(q_probs, q_probs) - torch.xlogy(q_probs, p_probs)).sum()
