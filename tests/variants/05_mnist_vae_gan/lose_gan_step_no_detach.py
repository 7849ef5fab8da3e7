# Zeroes each optimiser right before its own backward pass but feeds the undetached fakes to D in the D step.
# kind: procedure
# replaces: gan_step__solution
# loses: gan_step__mechanics
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
