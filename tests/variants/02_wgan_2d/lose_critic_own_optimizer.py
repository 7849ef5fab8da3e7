# Builds its own Adam in every call instead of using the optimiser it is given (its state is lost). (From a student's read-through.)
# kind: procedure
# caught: visible
# replaces: critic__solution
# loses: critic__tests
def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    for _ in range(steps):
        optimizer.zero_grad()
        loss = -(critic(x_p).mean() - critic(x_q).mean())
        loss.backward()
        optimizer.step()
        clamp_weights(critic, clamp)
    return critic
