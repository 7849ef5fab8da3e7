# Uses log(q / p) instead of log(p / q), which gives -KL(p || q).
# replaces: kl__solution
# loses: kl__tests kl_fit__tests
# tells: it takes the log of q/p instead of p/q, which gives minus the divergence (a negative number for different
# tells: distributions). Revisit the definition: KL(p || q) is the expectation under p of log(p/q), and it is never
# tells: negative.
import torch


def discrete_kl_divergence(p_probs, q_probs):
    return (p_probs * torch.log(q_probs / p_probs)).sum()
