# Writes the loss as mean f(x_q) - mean f(x_p), clears gradients with p.grad = None and clips inline; correct.
# kind: style
# replaces: critic__solution
def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    step = 0
    while step < steps:
        for parameter in critic.parameters():
            parameter.grad = None
        loss = critic(x_q).mean() - critic(x_p).mean()
        loss.backward()
        optimizer.step()
        for parameter in critic.parameters():
            parameter.data.clamp_(-clamp, clamp)
        step += 1
    return critic
