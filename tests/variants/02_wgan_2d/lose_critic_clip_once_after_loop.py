# Clips the parameters only once, after all optimiser steps, instead of after every step as the task prescribes
# ("for each step: ... take an optimiser step, then clip all parameters").
# kind: procedure
# replaces: critic__solution
# loses: critic__tests
# tells: it clips only once, after all the optimiser steps, so every step but the first starts from unclipped
# tells: parameters. The critic must be clipped after every single optimiser step.
import torch


def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    x_q = x_q.detach()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = -(critic(x_p).mean() - critic(x_q).mean())
        loss.backward()
        optimizer.step()
    clamp_weights(critic, clamp)
    return critic
