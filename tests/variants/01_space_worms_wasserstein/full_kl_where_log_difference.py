# Masks with torch.where after computing p * (log p - log q): the value is right and the gradient with respect to q,
# the one the contract asks to be finite, is finite (only the gradient with respect to p is nan).
# kind: contract-freedom
# replaces: kl__solution
import torch


def discrete_kl_divergence(p_probs, q_probs):
    terms = p_probs * (torch.log(p_probs) - torch.log(q_probs))
    return torch.where(p_probs > 0, terms, torch.zeros_like(terms)).sum()
