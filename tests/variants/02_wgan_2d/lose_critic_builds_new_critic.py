# Builds a new critic (make_critic) with its own optimiser in every call, trains and clips it and returns it, as the
# name "create_critic" suggests; the critic and optimiser it is given are never trained (section 8: "create_critic
# does not create a network").
# kind: pitfall
# caught: visible
# replaces: critic__solution
# loses: critic__tests
# tells: it builds and trains a new critic in every call instead of continuing to train the critic it is given,
# tells: with the optimiser it is given. A critic trained for a few steps from scratch stays close to its random
# tells: start, so Q would get a nearly arbitrary direction; the WGAN keeps one critic for the whole run and
# tells: trains it a little further in every call.
def create_critic(x_p, x_q, critic, optimizer, steps=5, clamp=0.01):
    critic = make_critic()
    optimizer = torch.optim.Adam(critic.parameters(), lr=CRITIC_LR, betas=(0.5, 0.9))
    x_q = x_q.detach()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = -(critic(x_p).mean() - critic(x_q).mean())
        loss.backward()
        optimizer.step()
        clamp_weights(critic, clamp)
    return critic
