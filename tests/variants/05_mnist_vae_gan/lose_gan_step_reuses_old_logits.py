# Computes D's logits for the fakes once and reuses them for the G step after D's update (autograd then fails).
# kind: procedure
# replaces: gan_step__solution
# loses: gan_step__mechanics gan_step__trend
# tells: it computes D's logits for the fakes once and reuses them in the generator step after D was updated;
# tells: backward then fails, because D's weights were changed in place after that graph was built, and the G
# tells: step should use the updated discriminator anyway. Score the fakes again with D for the G step.
import torch


def gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim):
    fake = generator(torch.randn(real.shape[0], z_dim, device=real.device))
    fake_logits = discriminator(fake)
    d_loss = discriminator_loss(discriminator(real), fake_logits)
    d_optimizer.zero_grad()
    d_loss.backward(retain_graph=True)
    d_optimizer.step()
    g_loss = generator_loss(fake_logits)
    g_optimizer.zero_grad()
    g_loss.backward()
    g_optimizer.step()
    return d_loss.item(), g_loss.item()
