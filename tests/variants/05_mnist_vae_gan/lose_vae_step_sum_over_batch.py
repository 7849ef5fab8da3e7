# Uses (and returns) the sum of the per-example losses over the batch instead of their mean.
# replaces: vae_step__solution
# loses: vae_step__mechanics
# tells: it uses (and returns) the sum of the per-image losses over the batch instead of their mean, so the
# tells: size of a step grows with the batch size. The batch loss is the mean negative ELBO.
def vae_train_step(model, optimizer, x):
    logits, mu, log_var = model(x)
    loss = negative_elbo(x, logits, mu, log_var).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
