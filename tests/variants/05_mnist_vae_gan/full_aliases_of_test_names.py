# The reference solution, with every name the test cells use bound by the student as a module-level
# import alias and checked inside every graded function: tests must leave the student's names alone.
# Written by tests/make_alias_variants.py from the master; run it again when the tests' names change.
# kind: namespace
# replaces: reparameterize__solution kl__solution neg_elbo__solution vae_step__solution d_loss__solution g_loss__solution gan_step__solution mmd__solution
# %% reparameterize__solution
import math as _Bernoulli
import torch as _D0
import numpy as _D1
from torch import nn as _D1_net
from torch import distributions as _D_net
import math as _D_spy
import torch as _Dr
import numpy as _G0
from torch import nn as _G_net
from torch import distributions as _G_spy
import math as _Gr
import torch as _LR_D
import numpy as _LR_G
from torch import nn as _Ld
from torch import distributions as _Lg
import math as _Normal
import torch as _Spy
import numpy as _TinyVAE
from torch import nn as _a
from torch import distributions as _after
import math as _b
import torch as _batch
import numpy as _before
from torch import nn as _big
from torch import distributions as _c
import math as _copy
import torch as _corr
from torch import distributions as _d
from torch import nn as _d_before
from torch import distributions as _d_net
import math as _d_opt
import torch as _disc
import numpy as _disc_0
from torch import nn as _disc_s
from torch import distributions as _dl
import math as _e
import torch as _error
import numpy as _expected
from torch import nn as _expected1
from torch import distributions as _f
import math as _fake_d
import torch as _first
import numpy as _flat_hint
from torch import nn as _flat_value
from torch import distributions as _flatten_hint
import math as _fresh
import torch as _g
import numpy as _g_before
from torch import nn as _g_net
from torch import distributions as _g_opt
import math as _ge
import torch as _gen
import numpy as _gen_0
from torch import nn as _gen_s
from torch import distributions as _gg
import math as _gi
import torch as _gl
import numpy as _got
from torch import nn as _gp
from torch import distributions as _grad
import math as _gt
import torch as _half_a
import numpy as _half_b
from torch import nn as _halves
from torch import distributions as _hits
import math as _hook
import torch as _ia
import numpy as _ib
from torch import nn as _idx
from torch import distributions as _image_value
import math as _inputs
import torch as _kl
import numpy as _kl_n
from torch import nn as _kl_w
from torch import distributions as _last
import math as _le
import torch as _lf
import numpy as _lg
from torch import nn as _log_var
from torch import distributions as _logits
import math as _loss
import torch as _lv
import numpy as _lv_g
from torch import nn as _lv_k
from torch import distributions as _lv_mc
import math as _lv_t
import math as _m
import numpy as _mc
from torch import nn as _mg
from torch import distributions as _mmd2_numpy
import math as _mmd2_reference
import torch as _model
import numpy as _ms
from torch import nn as _mu
from torch import distributions as _mu_g
import math as _mu_k
import torch as _mu_mc
import numpy as _mu_t
import numpy as _n
from torch import distributions as _name
import math as _ne
import torch as _nf
import numpy as _noise
from torch import nn as _noise_seen
from torch import distributions as _nr
import math as _one
import torch as _opt
import numpy as _out
from torch import nn as _p
from torch import distributions as _per_image
import math as _q
import torch as _r
import numpy as _real
from torch import nn as _ref
from torch import distributions as _ref2
import math as _ref2_loss
import torch as _ref_imgs
import numpy as _ref_loss
from torch import nn as _ref_pick
from torch import distributions as _reference
import math as _reference_loss
import torch as _ret
import numpy as _returned
from torch import nn as _s
from torch import distributions as _same
import math as _second
import torch as _self
import numpy as _sgd_step
from torch import nn as _sigma
from torch import distributions as _softplus_np
import math as _spy
import torch as _steps
import numpy as _tiny
from torch import nn as _v
from torch import distributions as _v_img
import math as _want
import torch as _wide
import numpy as _x
from torch import nn as _x8
from torch import distributions as _xe
import math as _xf
import torch as _y
import numpy as _z_d
from torch import nn as _z_g
from torch import distributions as _zero_logits
import math as _zg
import torch as _zmc
import numpy as _zs
from torch import nn as _zt
from torch import distributions as _zz
import math as forward
import torch as k
import numpy as kaa
from torch import nn as kbb
from torch import distributions as kl
import math as kxx
import torch as kyy
import numpy as log_var
from torch import nn as logits
from torch import distributions as m
import math as model
import torch as models
import numpy as mu
from torch import nn as n
from torch import distributions as net
import math as off_a
import torch as off_b
import numpy as out
from torch import nn as p
from torch import distributions as params_a
import math as params_b
import torch as rec
import numpy as self
from torch import nn as sigma
from torch import distributions as squared
import math as u
import torch as v
import numpy as x
from torch import nn as y
_ALIASED = {'_Bernoulli': _Bernoulli, '_D0': _D0, '_D1': _D1, '_D1_net': _D1_net, '_D_net': _D_net, '_D_spy': _D_spy, '_Dr': _Dr, '_G0': _G0, '_G_net': _G_net, '_G_spy': _G_spy, '_Gr': _Gr, '_LR_D': _LR_D, '_LR_G': _LR_G, '_Ld': _Ld, '_Lg': _Lg, '_Normal': _Normal, '_Spy': _Spy, '_TinyVAE': _TinyVAE, '_a': _a, '_after': _after, '_b': _b, '_batch': _batch, '_before': _before, '_big': _big, '_c': _c, '_copy': _copy, '_corr': _corr, '_d': _d, '_d_before': _d_before, '_d_net': _d_net, '_d_opt': _d_opt, '_disc': _disc, '_disc_0': _disc_0, '_disc_s': _disc_s, '_dl': _dl, '_e': _e, '_error': _error, '_expected': _expected, '_expected1': _expected1, '_f': _f, '_fake_d': _fake_d, '_first': _first, '_flat_hint': _flat_hint, '_flat_value': _flat_value, '_flatten_hint': _flatten_hint, '_fresh': _fresh, '_g': _g, '_g_before': _g_before, '_g_net': _g_net, '_g_opt': _g_opt, '_ge': _ge, '_gen': _gen, '_gen_0': _gen_0, '_gen_s': _gen_s, '_gg': _gg, '_gi': _gi, '_gl': _gl, '_got': _got, '_gp': _gp, '_grad': _grad, '_gt': _gt, '_half_a': _half_a, '_half_b': _half_b, '_halves': _halves, '_hits': _hits, '_hook': _hook, '_ia': _ia, '_ib': _ib, '_idx': _idx, '_image_value': _image_value, '_inputs': _inputs, '_kl': _kl, '_kl_n': _kl_n, '_kl_w': _kl_w, '_last': _last, '_le': _le, '_lf': _lf, '_lg': _lg, '_log_var': _log_var, '_logits': _logits, '_loss': _loss, '_lv': _lv, '_lv_g': _lv_g, '_lv_k': _lv_k, '_lv_mc': _lv_mc, '_lv_t': _lv_t, '_m': _m, '_mc': _mc, '_mg': _mg, '_mmd2_numpy': _mmd2_numpy, '_mmd2_reference': _mmd2_reference, '_model': _model, '_ms': _ms, '_mu': _mu, '_mu_g': _mu_g, '_mu_k': _mu_k, '_mu_mc': _mu_mc, '_mu_t': _mu_t, '_n': _n, '_name': _name, '_ne': _ne, '_nf': _nf, '_noise': _noise, '_noise_seen': _noise_seen, '_nr': _nr, '_one': _one, '_opt': _opt, '_out': _out, '_p': _p, '_per_image': _per_image, '_q': _q, '_r': _r, '_real': _real, '_ref': _ref, '_ref2': _ref2, '_ref2_loss': _ref2_loss, '_ref_imgs': _ref_imgs, '_ref_loss': _ref_loss, '_ref_pick': _ref_pick, '_reference': _reference, '_reference_loss': _reference_loss, '_ret': _ret, '_returned': _returned, '_s': _s, '_same': _same, '_second': _second, '_self': _self, '_sgd_step': _sgd_step, '_sigma': _sigma, '_softplus_np': _softplus_np, '_spy': _spy, '_steps': _steps, '_tiny': _tiny, '_v': _v, '_v_img': _v_img, '_want': _want, '_wide': _wide, '_x': _x, '_x8': _x8, '_xe': _xe, '_xf': _xf, '_y': _y, '_z_d': _z_d, '_z_g': _z_g, '_zero_logits': _zero_logits, '_zg': _zg, '_zmc': _zmc, '_zs': _zs, '_zt': _zt, '_zz': _zz, 'forward': forward, 'k': k, 'kaa': kaa, 'kbb': kbb, 'kl': kl, 'kxx': kxx, 'kyy': kyy, 'log_var': log_var, 'logits': logits, 'm': m, 'model': model, 'models': models, 'mu': mu, 'n': n, 'net': net, 'off_a': off_a, 'off_b': off_b, 'out': out, 'p': p, 'params_a': params_a, 'params_b': params_b, 'rec': rec, 'self': self, 'sigma': sigma, 'squared': squared, 'u': u, 'v': v, 'x': x, 'y': y}


def _aliases_intact():
    rebound = [name for name, now in (('_Bernoulli', _Bernoulli), ('_D0', _D0), ('_D1', _D1), ('_D1_net', _D1_net), ('_D_net', _D_net), ('_D_spy', _D_spy), ('_Dr', _Dr), ('_G0', _G0), ('_G_net', _G_net), ('_G_spy', _G_spy), ('_Gr', _Gr), ('_LR_D', _LR_D), ('_LR_G', _LR_G), ('_Ld', _Ld), ('_Lg', _Lg), ('_Normal', _Normal), ('_Spy', _Spy), ('_TinyVAE', _TinyVAE), ('_a', _a), ('_after', _after), ('_b', _b), ('_batch', _batch), ('_before', _before), ('_big', _big), ('_c', _c), ('_copy', _copy), ('_corr', _corr), ('_d', _d), ('_d_before', _d_before), ('_d_net', _d_net), ('_d_opt', _d_opt), ('_disc', _disc), ('_disc_0', _disc_0), ('_disc_s', _disc_s), ('_dl', _dl), ('_e', _e), ('_error', _error), ('_expected', _expected), ('_expected1', _expected1), ('_f', _f), ('_fake_d', _fake_d), ('_first', _first), ('_flat_hint', _flat_hint), ('_flat_value', _flat_value), ('_flatten_hint', _flatten_hint), ('_fresh', _fresh), ('_g', _g), ('_g_before', _g_before), ('_g_net', _g_net), ('_g_opt', _g_opt), ('_ge', _ge), ('_gen', _gen), ('_gen_0', _gen_0), ('_gen_s', _gen_s), ('_gg', _gg), ('_gi', _gi), ('_gl', _gl), ('_got', _got), ('_gp', _gp), ('_grad', _grad), ('_gt', _gt), ('_half_a', _half_a), ('_half_b', _half_b), ('_halves', _halves), ('_hits', _hits), ('_hook', _hook), ('_ia', _ia), ('_ib', _ib), ('_idx', _idx), ('_image_value', _image_value), ('_inputs', _inputs), ('_kl', _kl), ('_kl_n', _kl_n), ('_kl_w', _kl_w), ('_last', _last), ('_le', _le), ('_lf', _lf), ('_lg', _lg), ('_log_var', _log_var), ('_logits', _logits), ('_loss', _loss), ('_lv', _lv), ('_lv_g', _lv_g), ('_lv_k', _lv_k), ('_lv_mc', _lv_mc), ('_lv_t', _lv_t), ('_m', _m), ('_mc', _mc), ('_mg', _mg), ('_mmd2_numpy', _mmd2_numpy), ('_mmd2_reference', _mmd2_reference), ('_model', _model), ('_ms', _ms), ('_mu', _mu), ('_mu_g', _mu_g), ('_mu_k', _mu_k), ('_mu_mc', _mu_mc), ('_mu_t', _mu_t), ('_n', _n), ('_name', _name), ('_ne', _ne), ('_nf', _nf), ('_noise', _noise), ('_noise_seen', _noise_seen), ('_nr', _nr), ('_one', _one), ('_opt', _opt), ('_out', _out), ('_p', _p), ('_per_image', _per_image), ('_q', _q), ('_r', _r), ('_real', _real), ('_ref', _ref), ('_ref2', _ref2), ('_ref2_loss', _ref2_loss), ('_ref_imgs', _ref_imgs), ('_ref_loss', _ref_loss), ('_ref_pick', _ref_pick), ('_reference', _reference), ('_reference_loss', _reference_loss), ('_ret', _ret), ('_returned', _returned), ('_s', _s), ('_same', _same), ('_second', _second), ('_self', _self), ('_sgd_step', _sgd_step), ('_sigma', _sigma), ('_softplus_np', _softplus_np), ('_spy', _spy), ('_steps', _steps), ('_tiny', _tiny), ('_v', _v), ('_v_img', _v_img), ('_want', _want), ('_wide', _wide), ('_x', _x), ('_x8', _x8), ('_xe', _xe), ('_xf', _xf), ('_y', _y), ('_z_d', _z_d), ('_z_g', _z_g), ('_zero_logits', _zero_logits), ('_zg', _zg), ('_zmc', _zmc), ('_zs', _zs), ('_zt', _zt), ('_zz', _zz), ('forward', forward), ('k', k), ('kaa', kaa), ('kbb', kbb), ('kl', kl), ('kxx', kxx), ('kyy', kyy), ('log_var', log_var), ('logits', logits), ('m', m), ('model', model), ('models', models), ('mu', mu), ('n', n), ('net', net), ('off_a', off_a), ('off_b', off_b), ('out', out), ('p', p), ('params_a', params_a), ('params_b', params_b), ('rec', rec), ('self', self), ('sigma', sigma), ('squared', squared), ('u', u), ('v', v), ('x', x), ('y', y)) if now is not _ALIASED[name]]
    assert not rebound, f"a test cell rebound the student's names {rebound}"


def reparameterize(mu, log_var):
    """Draw z ~ N(mu, exp(log_var)) elementwise with the reparameterisation trick.

    Args:
        mu: means, tensor of shape [B, d].
        log_var: log-variances log(sigma^2), same shape as mu.

    Returns:
        z = mu + sigma * eps with sigma = exp(log_var / 2) and eps ~ N(0, I) drawn fresh, same shape as mu;
        gradients flow back to mu and log_var.
    """
    _aliases_intact()
    std = torch.exp(0.5 * log_var)
    return mu + std * torch.randn_like(mu)

# %% kl__solution
def kl_to_standard_normal(mu, log_var):
    """KL( N(mu, diag(exp(log_var))) || N(0, I) ) for each row.

    Args:
        mu: means, shape [B, d].
        log_var: log-variances log(sigma^2), shape [B, d].

    Returns:
        Tensor of shape [B]: 0.5 * sum_j (sigma_j^2 + mu_j^2 - 1 - log sigma_j^2), summed over the last dimension.
    """
    _aliases_intact()
    return 0.5 * (torch.exp(log_var) + mu ** 2 - 1.0 - log_var).sum(dim=-1)

# %% neg_elbo__solution
def negative_elbo(x, logits, mu, log_var):
    """Per-example negative ELBO of a VAE with a Bernoulli decoder and a diagonal Gaussian encoder.

    Args:
        x: images in [0, 1], shape [B, ...] (e.g. [B, 1, 28, 28]).
        logits: decoder outputs (logits of the pixel probabilities), same shape as x.
        mu: encoder means, shape [B, d].
        log_var: encoder log-variances log(sigma^2), shape [B, d].

    Returns:
        Tensor of shape [B]: BCE-with-logits summed over all pixels of each image + KL(q(z|x) || N(0, I)).
    """
    _aliases_intact()
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    reconstruction = bce.reshape(bce.shape[0], -1).sum(dim=1)
    return reconstruction + kl_to_standard_normal(mu, log_var)

# %% vae_step__solution
def vae_train_step(model, optimizer, x):
    """One optimisation step of a VAE on the mean negative ELBO of the batch x.

    Args:
        model: module with model(x) -> (logits, mu, log_var).
        optimizer: optimiser over the model's parameters.
        x: batch of images in [0, 1], shape [B, 1, 28, 28].

    Returns:
        The mean negative ELBO of the batch, computed before the update, as a Python float.
    """
    _aliases_intact()
    logits, mu, log_var = model(x)
    loss = negative_elbo(x, logits, mu, log_var).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()

# %% d_loss__solution
def discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the standard GAN, computed stably from logits.

    Args:
        real_logits: D's logits for real images, shape [B_real, 1] or [B_real].
        fake_logits: D's logits for generated images, shape [B_fake, 1] or [B_fake].

    Returns:
        0-dim tensor: mean(softplus(-real_logits)) + mean(softplus(fake_logits)),
        i.e. -mean log D(x_real) - mean log(1 - D(x_fake)).
    """
    _aliases_intact()
    real_term = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake_term = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real_term + fake_term

# %% g_loss__solution
def generator_loss(fake_logits):
    """Non-saturating generator loss -mean log D(G(z)), computed stably from logits.

    Args:
        fake_logits: D's logits for generated images, shape [B, 1] or [B].

    Returns:
        0-dim tensor: mean(softplus(-fake_logits)).
    """
    _aliases_intact()
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))

# %% gan_step__solution
def gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim):
    """One alternating GAN update: a discriminator step on real and detached fake images, then a generator step.

    Args:
        generator: module z [B, z_dim] -> images [B, 784].
        discriminator: module images [B, 784] -> logits [B, 1].
        g_optimizer, d_optimizer: optimisers over the generator's and the discriminator's parameters.
        real: batch of real images, shape [B, 784].
        z_dim: dimension of the noise z ~ N(0, I).

    Returns:
        (d_loss, g_loss): discriminator_loss before the D update and generator_loss before the G update,
        as Python floats.
    """
    _aliases_intact()
    z = torch.randn(real.shape[0], z_dim, device=real.device)
    fake = generator(z)

    d_loss = discriminator_loss(discriminator(real), discriminator(fake.detach()))
    d_optimizer.zero_grad()
    d_loss.backward()
    d_optimizer.step()

    g_loss = generator_loss(discriminator(fake))
    g_optimizer.zero_grad()
    g_loss.backward()
    g_optimizer.step()
    return d_loss.item(), g_loss.item()

# %% mmd__solution
def mmd2(x, y, sigma):
    """Unbiased estimate of the squared MMD between samples x and y with the kernel exp(-|a - b|^2 / (2 sigma^2)).

    Args:
        x: samples of P, shape [n, ...] (flattened to [n, D]), n >= 2.
        y: samples of Q, shape [m, ...] (flattened to [m, D]), m >= 2, same device as x.
        sigma: kernel bandwidth, a positive float.

    Returns:
        0-dim tensor: mean of k(x_i, x_j) over i != j + mean of k(y_i, y_j) over i != j - 2 * mean of k(x_i, y_j).
    """
    _aliases_intact()
    x = x.reshape(x.shape[0], -1)
    y = y.reshape(y.shape[0], -1)
    n, m = x.shape[0], y.shape[0]

    def kernel(a, b):
        return torch.exp(-torch.cdist(a, b) ** 2 / (2 * sigma ** 2))

    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    within_x = (k_xx.sum() - k_xx.diagonal().sum()) / (n * (n - 1))
    within_y = (k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
    return within_x + within_y - 2 * k_xy.mean()
