# Stores the returned tensors themselves instead of Python floats in landing_points.
# replaces: landing__solution
# loses: landing__tests
import torch

start_points = [0.2, 0.45, 0.6]
landing_points = {}
landing_histories = {}
for start in start_points:
    p_fit, history = optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(start), true_data)
    landing_points[start] = p_fit
    landing_histories[start] = history
