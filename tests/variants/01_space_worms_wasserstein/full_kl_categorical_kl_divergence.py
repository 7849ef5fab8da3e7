# KL through torch.distributions.kl_divergence of two Categoricals, which normalise q: on pmfs the value is the
# same, and the gradient with respect to q differs by a constant on every component, which the contract leaves free.
# kind: contract-freedom
# replaces: kl__solution
import torch


def discrete_kl_divergence(p_probs, q_probs):
    return torch.distributions.kl_divergence(torch.distributions.Categorical(probs=p_probs),
                                             torch.distributions.Categorical(probs=q_probs))
