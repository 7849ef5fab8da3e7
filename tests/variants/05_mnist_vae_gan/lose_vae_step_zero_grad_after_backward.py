# Calls zero_grad between backward and step, so the optimiser steps with zero gradients and nothing is learned.
# kind: procedure
# replaces: vae_step__solution
# loses: vae_step__mechanics vae_step__trend
def vae_train_step(model, optimizer, x):
    logits, mu, log_var = model(x)
    loss = negative_elbo(x, logits, mu, log_var).mean()
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()
