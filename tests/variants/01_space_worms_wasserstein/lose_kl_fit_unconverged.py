# Runs only 20 epochs with the default learning rate, so p has barely moved from the start 0.2.
# kind: pitfall
# caught: visible
# replaces: kl_fit__solution
# loses: kl_fit__tests
import torch

p_kl, kl_history = optimize_binomial_distribution(discrete_kl_divergence, torch.tensor(0.2), true_data, epochs=20)
