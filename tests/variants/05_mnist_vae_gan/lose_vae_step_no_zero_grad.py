# Never zeroes the gradients, so every step uses the sum of all earlier gradients.
# kind: pitfall
# caught: visible
# replaces: vae_step__solution
# loses: vae_step__mechanics vae_step__trend
# tells: it never zeroes the gradients, so PyTorch adds each step's gradients to those of all earlier steps.
# tells: Clear the optimiser's gradients before every backward pass.
def vae_train_step(model, optimizer, x):
    logits, mu, log_var = model(x)
    loss = negative_elbo(x, logits, mu, log_var).mean()
    loss.backward()
    optimizer.step()
    return loss.item()
