# Uses log(q / p) instead of log(p / q), which gives -KL(p || q).
# replaces: kl__solution
# loses: kl__tests kl_fit__tests
import torch


def discrete_kl_divergence(p_probs, q_probs):
    return (p_probs * torch.log(q_probs / p_probs)).sum()
