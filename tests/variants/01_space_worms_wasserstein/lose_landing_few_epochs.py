# Stops each run after 50 epochs, long before Adam (lr 1e-3) reaches the bottom of the valley.
# kind: pitfall
# caught: visible
# replaces: landing__solution
# loses: landing__tests
import torch

start_points = [0.2, 0.45, 0.6]
landing_points = {}
landing_histories = {}
for start in start_points:
    p_fit, history = optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(start), true_data,
                                                    epochs=50)
    landing_points[start] = p_fit.item()
    landing_histories[start] = history
