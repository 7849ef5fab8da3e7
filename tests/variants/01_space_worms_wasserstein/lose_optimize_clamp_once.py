# Clamps p only once before the loop (and at the end), not before every forward pass as the contract says.
# kind: procedure
# replaces: optimize__solution
# loses: optimize__history
# tells: it keeps p inside [EPS, 1 - EPS] only once, before the loop; an optimiser step can push p out again. The clamp
# tells: belongs before every forward pass.
def optimize_binomial_distribution(func, p, true_data, lr=1e-3, epochs=1000):
    p = torch.as_tensor(p, dtype=torch.get_default_dtype()).detach().clone().requires_grad_(True)
    history = defaultdict(list)
    optimizer = torch.optim.Adam([p], lr=lr)
    total_count = len(true_data) - 1
    support = torch.arange(total_count + 1, dtype=true_data.dtype)
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    for i in range(epochs):
        p_used = p.item()
        d = func(true_data, distrs.Binomial(total_count=total_count, probs=p).log_prob(support).exp())
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(d.item())
        history['p'].append(p_used)
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    return p, history
