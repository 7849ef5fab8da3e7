# Builds the results with explicit lr/epochs (the defaults) and a dict comprehension; correct.
# kind: style
# replaces: landing__solution
import torch

start_points = [0.2, 0.45, 0.6]
runs = {s: optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(s, dtype=torch.float32),
                                          true_data, lr=1e-3, epochs=1000)
        for s in start_points}
landing_points = {s: float(p_fit.detach()) for s, (p_fit, _) in runs.items()}
landing_histories = {s: hist for s, (_, hist) in runs.items()}
