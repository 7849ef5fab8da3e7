# Masks 0 * log 0 with torch.where after computing it: the value is right but the gradient w.r.t. q is nan.
# kind: pitfall
# caught: visible
# replaces: kl__solution
# loses: kl__tests
# tells: its value is right, but the nan of 0 log 0 is masked after it was computed, so the gradient is still nan.
# tells: Avoid computing the nan at all (torch.xlogy does), not just hide it.
import torch


def discrete_kl_divergence(p_probs, q_probs):
    terms = p_probs * torch.log(p_probs / q_probs)
    return torch.where(p_probs > 0, terms, torch.zeros_like(terms)).sum()
