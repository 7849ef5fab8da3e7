# Steps both optimisers after the generator's backward pass, so D also moves to help the generator.
# kind: procedure
# replaces: gan_step__solution
# loses: gan_step__mechanics
# tells: it also steps the discriminator's optimiser after the generator's backward pass, so D moves to help
# tells: the generator. In the generator step only the generator is updated; the gradients that pass leaves in
# tells: D are cleared by the next discriminator step.
import torch


def gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim):
    fake = generator(torch.randn(real.shape[0], z_dim, device=real.device))
    d_optimizer.zero_grad()
    d_loss = discriminator_loss(discriminator(real), discriminator(fake.detach()))
    d_loss.backward()
    d_optimizer.step()
    g_optimizer.zero_grad()
    d_optimizer.zero_grad()
    g_loss = generator_loss(discriminator(fake))
    g_loss.backward()
    g_optimizer.step()
    d_optimizer.step()
    return d_loss.item(), g_loss.item()
