# Does not fit at all: sets p_kl to the moment-matching value and a one-entry history, instead of reusing the
# optimiser with the KL divergence as the task asks.
# kind: contract-requirement
# replaces: kl_fit__solution
# loses: kl_fit__tests
import torch

p_kl = ((teeth * true_data).sum() / TOTAL_COUNT).detach()
kl_history = {"epoch": [0], "dist": [0.0], "p": [p_kl.item()]}
print(f"p fitted with KL: {p_kl.item():.4f}")
