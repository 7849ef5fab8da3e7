# Ignores lower, upper and n_points and always integrates on torch.linspace(-40, 40, 8001), although the task says
# the integral is taken "on torch.linspace(lower, upper, n_points)".
# kind: contract-requirement
# replaces: coin_log_evidence__solution
# loses: coin_log_evidence__values
# tells: it ignores the lower, upper and n_points arguments and always integrates on the default grid, so a
# tells: call with another range returns the wrong integral. Integrate on the grid the arguments describe.
import torch
import torch.nn.functional as F


def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    z = torch.linspace(-40.0, 40.0, 8001)
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.log(torch.trapezoid(log_joint.exp(), z))
