# Scores real and detached fake images in one call of D on their concatenation, then splits the logits.
# kind: style
# replaces: gan_step__solution
import torch


def gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim):
    n = real.shape[0]
    fake = generator(torch.randn(n, z_dim, device=real.device))
    logits = discriminator(torch.cat([real, fake.detach()]))
    d_loss = discriminator_loss(logits[:n], logits[n:])
    discriminator.zero_grad()
    d_loss.backward()
    d_optimizer.step()
    generator.zero_grad()
    g_loss = generator_loss(discriminator(fake))
    g_loss.backward()
    g_optimizer.step()
    return d_loss.item(), g_loss.item()
