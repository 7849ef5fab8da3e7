# Makes the D step's fakes under torch.no_grad() and draws a fresh batch of fakes for the G step.
# kind: procedure
# replaces: gan_step__solution
import torch


def gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim):
    batch = real.shape[0]
    with torch.no_grad():
        fake = generator(torch.randn(batch, z_dim, device=real.device))
    d_optimizer.zero_grad()
    d_loss = discriminator_loss(discriminator(real), discriminator(fake))
    d_loss.backward()
    d_optimizer.step()

    g_optimizer.zero_grad()
    g_loss = generator_loss(discriminator(generator(torch.randn(batch, z_dim, device=real.device))))
    g_loss.backward()
    g_optimizer.step()
    return float(d_loss), float(g_loss)
