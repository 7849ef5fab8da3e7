# Clears the model's gradients with model.zero_grad(set_to_none=True) and converts the loss with float(loss.detach()).
# kind: procedure
# replaces: vae_step__solution
def vae_train_step(model, optimizer, x):
    model.train()
    model.zero_grad(set_to_none=True)
    logits, mu, log_var = model(x)
    loss = negative_elbo(x, logits, mu, log_var).mean()
    loss.backward()
    optimizer.step()
    return float(loss.detach())
