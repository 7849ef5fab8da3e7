# Starts every run at p = 0.5 instead of at the given start; the gradient there is exactly 0, so p never moves.
# replaces: landing__solution
# loses: landing__tests
import torch

start_points = [0.2, 0.45, 0.6]
landing_points = {}
landing_histories = {}
for start in start_points:
    p_fit, history = optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(0.5), true_data)
    landing_points[start] = p_fit.item()
    landing_histories[start] = history
