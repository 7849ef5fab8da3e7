# Zeroes each optimiser right before its own backward pass but feeds the undetached fakes to D in the D step.
# kind: pitfall
# caught: visible
# replaces: gan_step__solution
# loses: gan_step__mechanics
# tells: its updates come out right, but in the discriminator step the fake images still carry the graph back
# tells: to the generator, so that backward pass computes gradients for G that are wasted (and would leak into
# tells: G's update unless cleared at exactly the right moment). Revisit why the fakes are detached for the D
# tells: step.
import torch


def gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim):
    fake = generator(torch.randn(real.shape[0], z_dim, device=real.device))
    d_optimizer.zero_grad()
    d_loss = discriminator_loss(discriminator(real), discriminator(fake))
    d_loss.backward(retain_graph=True)
    d_optimizer.step()
    g_optimizer.zero_grad()
    g_loss = generator_loss(discriminator(fake))
    g_loss.backward()
    g_optimizer.step()
    return d_loss.item(), g_loss.item()
