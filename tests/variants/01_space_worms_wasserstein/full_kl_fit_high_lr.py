# Starts from 0.8 with a larger learning rate and fewer epochs; KL is convex in p here, so this converges too.
# kind: style
# replaces: kl_fit__solution
import torch

p_kl, kl_history = optimize_binomial_distribution(discrete_kl_divergence, torch.tensor(0.8), true_data,
                                                  lr=1e-2, epochs=300)
print(f"p fitted with KL: {p_kl.item():.4f}")
