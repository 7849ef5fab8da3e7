# Updates the generator first (against the old discriminator) and the discriminator afterwards.
# kind: procedure
# replaces: gan_step__solution
# loses: gan_step__mechanics
# tells: it updates the generator first, against the old discriminator, and the discriminator afterwards.
# tells: Revisit the order of an alternating step: D first, on real images and detached fakes, then G through
# tells: the updated D.
import torch


def gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim):
    fake = generator(torch.randn(real.shape[0], z_dim, device=real.device))
    g_optimizer.zero_grad()
    g_loss = generator_loss(discriminator(fake))
    g_loss.backward()
    g_optimizer.step()
    d_optimizer.zero_grad()
    d_loss = discriminator_loss(discriminator(real), discriminator(fake.detach()))
    d_loss.backward()
    d_optimizer.step()
    return d_loss.item(), g_loss.item()
