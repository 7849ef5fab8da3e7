# Fits with the Wasserstein distance instead of the KL divergence (lands at the W1 optimum, about 0.348).
# replaces: kl_fit__solution
# loses: kl_fit__tests
import torch

p_kl, kl_history = optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(0.2), true_data)
