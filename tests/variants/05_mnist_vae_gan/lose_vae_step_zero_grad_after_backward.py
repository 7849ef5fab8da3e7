# Calls zero_grad between backward and step, so the optimiser steps with zero gradients and nothing is learned.
# kind: procedure
# replaces: vae_step__solution
# loses: vae_step__mechanics vae_step__trend
# tells: it clears the gradients between the backward pass and the optimiser step, so the step uses zero
# tells: gradients and nothing is learned. Zero the gradients before backward, not after.
def vae_train_step(model, optimizer, x):
    logits, mu, log_var = model(x)
    loss = negative_elbo(x, logits, mu, log_var).mean()
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()
