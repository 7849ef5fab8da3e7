# Fills landing_points correctly but never stores the histories: landing_histories stays empty (the task's Out asks
# for the three history dicts).
# kind: contract-requirement
# replaces: landing__solution
# loses: landing__tests
import torch

start_points = [0.2, 0.45, 0.6]
landing_points = {}
landing_histories = {}
for start in start_points:
    p_fit, _ = optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(start), true_data)
    landing_points[start] = p_fit.item()
