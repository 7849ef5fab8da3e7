# Never calls g_optimizer.zero_grad(): G's gradients accumulate over the steps. (From a student's read-through.)
# kind: procedure
# caught: visible
# replaces: gan_step__solution
# loses: gan_step__mechanics gan_step__trend
def gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim):
    fake = generator(torch.randn(real.shape[0], z_dim, device=real.device))
    d_loss = discriminator_loss(discriminator(real), discriminator(fake.detach()))
    d_optimizer.zero_grad(); d_loss.backward(); d_optimizer.step()
    g_loss = generator_loss(discriminator(fake))
    g_loss.backward(); g_optimizer.step()
    return d_loss.item(), g_loss.item()
