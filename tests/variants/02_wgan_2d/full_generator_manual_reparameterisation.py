# Reparameterises by hand, x = mu + z L^T with z = torch.randn, instead of calling rsample; correct.
# kind: style
# replaces: generator__solution
def generator_step(critic, mu, raw_scale, optimizer, n_samples=256):
    optimizer.zero_grad(set_to_none=False)
    scale_tril = scale_tril_from_raw(raw_scale)
    noise = torch.randn(n_samples, 2)
    samples = mu + noise @ scale_tril.T
    loss = -torch.mean(critic(samples).squeeze(-1))
    loss.backward()
    optimizer.step()
    return float(loss.detach())
