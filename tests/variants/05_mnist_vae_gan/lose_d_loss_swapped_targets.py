# Labels the real images 0 and the generated ones 1.
# replaces: d_loss__solution
# loses: d_loss__tests gan_step__mechanics gan_step__trend
# tells: it labels the real images as fake (target 0) and the generated ones as real (target 1). The
# tells: discriminator should say real to training images: target 1 for real, target 0 for generated.
import torch
import torch.nn.functional as F


def discriminator_loss(real_logits, fake_logits):
    return (F.binary_cross_entropy_with_logits(real_logits, torch.zeros_like(real_logits))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits)))
