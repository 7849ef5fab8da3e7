# Never zeroes the gradients, so every step uses the sum of all earlier gradients.
# kind: procedure
# replaces: vae_step__solution
# loses: vae_step__mechanics vae_step__trend
def vae_train_step(model, optimizer, x):
    logits, mu, log_var = model(x)
    loss = negative_elbo(x, logits, mu, log_var).mean()
    loss.backward()
    optimizer.step()
    return loss.item()
