# Replaces zeros of p by ones before taking logs (so 0 * log(1 / q) -> 0 with a finite gradient); correct.
# kind: style
# replaces: kl__solution
import torch


def discrete_kl_divergence(p_probs, q_probs):
    safe_p = torch.where(p_probs > 0, p_probs, torch.ones_like(p_probs))
    safe_q = torch.where(p_probs > 0, q_probs, torch.ones_like(q_probs))
    return torch.sum(p_probs * (torch.log(safe_p) - torch.log(safe_q)))
