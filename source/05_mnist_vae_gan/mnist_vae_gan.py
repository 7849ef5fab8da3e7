# ---
# jupyter:
#   dgmcourse_sync:
#     cells: 00f040bd8bd3949a
#   jupytext:
#     notebook_metadata_filter: dgmcourse_sync
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (dgmcourse)
#     language: python
#     name: dgmcourse
# ---

# %% [markdown]
# # Assignment 5: A VAE and a GAN on MNIST
#
# So far we fitted small models whose every number we could check by hand. In this assignment we train two real deep generative models on real images, the 70 000 handwritten digits of MNIST, and compare them:
#
# * a **variational autoencoder (VAE)**, trained by maximising a lower bound on the log-likelihood (the ELBO), with an encoder that proposes latent codes and a decoder that turns codes back into images;
# * a **generative adversarial network (GAN)**, trained without any likelihood: a generator learns to fool a discriminator, which learns to tell real digits from generated ones.
#
# The two are trained very differently, so their losses cannot be compared with each other. At the end we therefore evaluate both with the same two tools: the **maximum mean discrepancy (MMD)**, a kernel distance between two sets of images, and a small **digit classifier** that tells us how many generated digits it recognises and whether all ten classes appear.
#
# By the end you will be able to
#
# 1. write the reparameterisation trick, the analytic KL divergence to the standard normal and the negative ELBO of a Bernoulli decoder, and check each one against `torch.distributions`;
# 2. derive the log-density of a reparameterised sample, and spot a wrong one;
# 3. write one training step of a VAE and of a GAN, with the bookkeeping that makes them correct: `zero_grad`, `detach` and which optimiser steps when;
# 4. explain why GAN losses must be computed from **logits**, and why the generator uses the *non-saturating* loss;
# 5. implement an unbiased estimator of the squared MMD and say when it is close to zero;
# 6. train on a GPU or a CPU with the same code, with the data resident on the device.
#
# ### How this notebook is graded
#
# * You write code only in the cells that contain `# YOUR CODE HERE` followed by `raise NotImplementedError(...)`. Replace those lines with your solution (running them first only tells you to do so); keep the function names and signatures as given.
# * Each task is followed by one or two **graded test cells** (read-only) with a few *visible checks* that you can run yourself and **hidden tests** that are added when we grade. The hidden tests use other inputs: fixed tensors with reference values computed independently, extreme logits, tiny networks whose updates can be computed exactly. A test cell earns all of its points if it runs without an error and none if it raises. The checks sit inside a function, `__test_cell__`, which the cell calls and then deletes: they leave your variables untouched, whatever you named them.
# * There are 20 points in total: `reparameterize` 2, `kl` 2, `neg_elbo` 2, `vae_step` 2 + 1, `d_loss` 2, `g_loss` 2, `gan_step` 3 + 1, `mmd` 2 + 1.
# * Later tasks use earlier ones: the negative ELBO calls your KL, the VAE training step calls your negative ELBO, the GAN training step calls your two GAN losses. A mistake in an early task can therefore also cost the points of a later test cell that uses it. The two test cells that check training *trends* (`vae_step__trend`, `gan_step__trend`) look at the loss curve of the VAE and at how far the GAN's samples moved towards the data; they never judge the beauty of one sample.
# * **Two run sizes.** `run_size()` returns `'full'` by default: all 60 000 training images and 30 epochs for each model, which gives recognisable digits and is meant for a GPU (a few minutes there); it also runs on a CPU, in about 12 minutes on a 2-core CPU (measured with one thread while the machine also ran other work: 4 minutes for the VAE, 8 for the GAN). The grader sets `DGMCOURSE_SIZE=grading` and runs on a **CPU**: 6 000 images, 2 VAE epochs and 1 GAN epoch, about 20 to 40 seconds for the whole notebook. On a CPU the setup cell lets torch use a single thread, at both sizes: for networks as small as ours one thread is faster than several that split every small matrix product and wait for each other (the comment in that cell gives a measurement). Please do not change the hyperparameters in the locked cells. To try the grading size yourself, start Jupyter with the environment variable `DGMCOURSE_SIZE=grading` set.
# * Before you submit, **restart the kernel and run all cells from top to bottom**. The grader may set `DGMCOURSE_SEED` to another value; your code must not depend on a particular seed. Do not add, delete or copy cells.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import copy
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from dgmcourse import cpu_threads_for, pick_device, run_size, seed_everything
from dgmcourse.student.checks import (check_allclose, check_close, check_python_float,
                                      check_scalar_tensor, check_shape, check_step_clears_stale_gradients,
                                      check_true)
from dgmcourse.student.data import load_mnist
from dgmcourse.student.images import show_images
from dgmcourse.student.mnist_eval import (accuracy, predict_proba, sample_statistics, statistics_table,
                                          train_digit_classifier)
from dgmcourse.student.plots import bar_compare, use_course_style

SEED = seed_everything()   # seeds Python, NumPy, torch (every device) and Pyro from $DGMCOURSE_SEED (default 0)
SIZE = run_size()          # 'grading' under the autograder, 'full' otherwise
DEVICE = pick_device()     # CUDA when there is a GPU, else the CPU; never call .cuda() yourself
# Our networks have under a million parameters each. On a CPU, threads that split such small matrix products
# mostly wait for each other: on a 2-core machine where another job was running, a VAE step (128 images) took
# 8-9 ms with one thread and 220-280 ms with two (5 ms with two when both cores were free). So on the CPU we use
# one thread, at every run size; on a GPU nothing changes.
THREADS = cpu_threads_for(DEVICE, parameters=1_000_000)
use_course_style()

CONFIG = {
    "grading": dict(n_train=6000, vae_epochs=2, gan_epochs=1, classifier_images=10000, classifier_epochs=3),
    "full": dict(n_train=60000, vae_epochs=30, gan_epochs=30, classifier_images=60000, classifier_epochs=4),
}[SIZE]
print(f"seed = {SEED}, run size = {SIZE}, device = {DEVICE}, torch {torch.__version__}, "
      f"{torch.get_num_threads()} CPU thread(s)")
print(CONFIG)

# %% [markdown]
# ## 1. The data, resident on the device
#
# `load_mnist` reads the four official MNIST files (it finds them through the environment variable `DGMCOURSE_MNIST_DIR`, checks their checksums and downloads them if they are missing) and returns `images`, float32 of shape `[N, 1, 28, 28]` with values in $[0, 1]$, and `labels`, int64 of shape `[N]`.
#
# All 60 000 training images take $60\,000 \cdot 784 \cdot 4$ bytes $\approx 188$ MB, which fits easily into the memory of any GPU. So we move them to the device **once**, with `device=DEVICE`, and form every mini-batch by **indexing** with a random permutation:
#
# ```python
# order = torch.randperm(n, device=DEVICE)           # a new order every epoch
# for start in range(0, n, batch_size):
#     batch = images[order[start:start + batch_size]]  # one gather on the device, no copy from the CPU
# ```
#
# The usual alternative, a `DataLoader` over a `Dataset` that returns one image at a time, is the **slow path** for data this small: every epoch it calls Python code 60 000 times, converts each image separately, collates the batch on the CPU and copies it to the GPU. For a small MLP that overhead costs far more than the network itself, and the GPU waits. (A `DataLoader` is the right tool when the data do not fit into memory or need per-image augmentation.)
#
# Two more habits from the lecture code that we do **not** copy: a hard-coded `.cuda()` (the notebook would fail on any machine without a GPU, the grader included; we use `pick_device()` and `.to(DEVICE)`), and a data path inside somebody's home directory (`load_mnist` looks in one configurable place). Also make sure that you train on *different* images: a "subset" that repeats the same image thousands of times teaches the model exactly one digit.
#
# At the grading size we train on a random subset of 6 000 training images; at full size on all of them. The official 10 000 test images are kept apart for the evaluation.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "data", "locked": true, "schema_version": 3, "solution": false, "task": false}
mnist_images, mnist_labels = load_mnist("train", device=DEVICE)   # [60000, 1, 28, 28] in [0, 1], [60000]
test_images, test_labels = load_mnist("test", device=DEVICE)      # [10000, 1, 28, 28], [10000]

N_TRAIN = CONFIG["n_train"]
subset = torch.randperm(len(mnist_images), generator=torch.Generator().manual_seed(SEED))[:N_TRAIN].to(DEVICE)
train_images = mnist_images[subset]                                # the images both models are trained on
train_labels = mnist_labels[subset]

check_shape(train_images, (N_TRAIN, 1, 28, 28), "train_images")
check_true(float(train_images.min()) >= 0.0 and float(train_images.max()) <= 1.0, "train_images",
           "expected pixel values in [0, 1]")
print(f"{N_TRAIN} training images on {train_images.device}; "
      f"class counts {torch.bincount(train_labels, minlength=10).tolist()}")

# %%
fig, ax = plt.subplots(figsize=(8, 4))
show_images(train_images[:32], nrow=16, ax=ax, title="The first 32 training images (white ink on black)")
plt.show()


# %% [markdown]
# # Part I: the variational autoencoder
#
# ## 2. A latent variable model and its lower bound
#
# A VAE explains an image $x \in [0, 1]^{784}$ by a low-dimensional **latent code** $z \in \mathbb{R}^{d}$ (here $d = 16$):
#
# $$
# p(z) = \mathcal N(z;\, 0, I), \qquad p_\theta(x \mid z) = \text{decoder}, \qquad p_\theta(x) = \int p_\theta(x \mid z)\, p(z)\, dz .
# $$
#
# We would like to maximise the log-likelihood $\log p_\theta(x)$ of the training images, but the integral over $z$ has no closed form for a neural decoder. The trick is to bring in a second network, the **encoder** $q_\phi(z \mid x)$, which guesses for each image which codes could have produced it. For any such $q$, multiplying and dividing by $q$ inside the integral and using Jensen's inequality ($\log$ is concave) gives
#
# $$
# \log p_\theta(x) = \log \mathbb{E}_{q_\phi(z \mid x)}\!\left[\frac{p_\theta(x \mid z)\, p(z)}{q_\phi(z \mid x)}\right]
# \;\ge\; \mathbb{E}_{q_\phi(z \mid x)}\big[\log p_\theta(x \mid z)\big] \;-\; \mathrm{KL}\big(q_\phi(z \mid x) \,\|\, p(z)\big) \;=:\; \mathrm{ELBO}(x).
# $$
#
# The gap between the two sides is exactly $\mathrm{KL}\big(q_\phi(z \mid x) \,\|\, p_\theta(z \mid x)\big) \ge 0$: the bound is tight when the encoder matches the true posterior. The first term is the **reconstruction** term (decode a code drawn from the encoder; how likely is the original image?), the second keeps the encoder's distributions close to the prior, so that codes drawn from the prior later decode to sensible images. We train encoder and decoder together by minimising the **negative ELBO**, averaged over a mini-batch.
#
# ### The two distributions we choose
#
# **Encoder: a diagonal Gaussian.** The encoder network maps $x$ to two vectors of length $d$, a mean $\mu_\phi(x)$ and a **log-variance** $\log \sigma^2_\phi(x)$:
#
# $$
# q_\phi(z \mid x) = \mathcal N\big(z;\ \mu_\phi(x),\ \mathrm{diag}(\sigma^2_\phi(x))\big).
# $$
#
# The network outputs $\log \sigma^2$ rather than $\sigma$ because a linear layer can output any real number, while $\sigma$ must be positive; $\sigma = \exp(\tfrac12 \log \sigma^2)$ is then positive automatically. Mixing up $\sigma$, $\sigma^2$ and $\log\sigma^2$ is the most common bug in VAE code: in this notebook the variable `log_var` always holds $\log \sigma^2$.
#
# **Decoder: a Bernoulli per pixel, parameterised by logits.** The decoder maps $z$ to 784 real numbers $\ell_j(z)$, the **logits**, and each pixel is modelled as an independent coin with probability of "ink" $\pi_j = \operatorname{sigmoid}(\ell_j)$:
#
# $$
# \log p_\theta(x \mid z) = \sum_{j=1}^{784} \Big[x_j \log \pi_j + (1 - x_j) \log(1 - \pi_j)\Big] = -\sum_{j=1}^{784} \mathrm{BCE}(\ell_j, x_j).
# $$
#
# Why a Bernoulli? Most MNIST pixels are close to 0 or to 1, and the Bernoulli puts its probability exactly there; a Gaussian likelihood would need a variance that we would have to choose or learn, and with a fixed variance it amounts to a squared error that tends to give blurrier digits. Strictly, a Bernoulli is a distribution over $\{0, 1\}$, and our pixels also take grey values in between. For such $x_j$ the term above is the cross-entropy between the "ink probabilities" $x_j$ and $\pi_j$; it is smallest when $\pi_j = x_j$, which is what we want, but it is not a normalised density over $[0, 1]$ (the *continuous Bernoulli* of Loaiza-Ganem and Cunningham, 2019, adds the missing normalising constant). So treat the numbers below as a training objective that can be compared between runs on the same data, not as exact log-likelihoods in nats. Binarising the images would make the Bernoulli exact; we keep the grey values because they make nicer pictures.
#
# We never compute $\pi_j$ and then its logarithm: in float32, `sigmoid` returns exactly 1 for logits from about 17 upwards (and exactly 0 below about $-90$), and then $\log(1 - \pi_j) = \log 0 = -\infty$. The stable form, used by `F.binary_cross_entropy_with_logits`, is
#
# $$
# \mathrm{BCE}(\ell, x) = -x \log \operatorname{sigmoid}(\ell) - (1 - x) \log\big(1 - \operatorname{sigmoid}(\ell)\big) = \operatorname{softplus}(\ell) - x\,\ell,
# \qquad \operatorname{softplus}(\ell) = \log(1 + e^{\ell}),
# $$
#
# where `softplus` is itself evaluated as $\max(\ell, 0) + \log(1 + e^{-|\ell|})$, which never overflows.
#
# ## 3. Task: the reparameterisation trick (2 points)
#
# The reconstruction term is an expectation over $z \sim q_\phi(z \mid x)$, and we need its gradient with respect to $\phi$. Sampling is not differentiable, but we can move the randomness into a fixed noise variable:
#
# $$
# z = \mu + \sigma \odot \varepsilon, \qquad \varepsilon \sim \mathcal N(0, I), \qquad \sigma = \exp\!\big(\tfrac12 \log \sigma^2\big).
# $$
#
# Now $z$ is a differentiable function of $\mu$ and $\log\sigma^2$ for each fixed $\varepsilon$: $\partial z / \partial \mu = 1$ and $\partial z / \partial \log\sigma^2 = \tfrac12 \sigma \varepsilon = \tfrac12 (z - \mu)$. One sample of $\varepsilon$ per image and per training step is enough; the noise averages out over many steps.
#
# **Implement** `reparameterize(mu, log_var)`:
#
# * **In:** `mu` and `log_var`, tensors of the same shape `[B, d]` (any floating dtype, any device).
# * **Out:** `z` of the same shape, one sample of $\mathcal N(\mu, \sigma^2)$ per entry, with fresh standard normal noise on every call, differentiable with respect to both inputs.
# * **How:** draw the noise with `torch.randn_like(mu)` (same shape, dtype and device as `mu`). Do not use `torch.distributions.Normal(...).sample()`: it cuts the gradient.

# %% nbgrader={"grade": false, "grade_id": "reparameterize__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def reparameterize(mu, log_var):
    """Draw z ~ N(mu, exp(log_var)) elementwise with the reparameterisation trick.

    Args:
        mu: means, tensor of shape [B, d].
        log_var: log-variances log(sigma^2), same shape as mu.

    Returns:
        z = mu + sigma * eps with sigma = exp(log_var / 2) and eps ~ N(0, I) drawn fresh, same shape as mu;
        gradients flow back to mu and log_var.
    """
    ### BEGIN SOLUTION
    std = torch.exp(0.5 * log_var)
    return mu + std * torch.randn_like(mu)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "reparameterize__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _mu = torch.zeros(4, 3, requires_grad=True)
    _log_var = torch.zeros(4, 3, requires_grad=True)
    _z = reparameterize(_mu, _log_var)
    check_shape(_z, (4, 3), "reparameterize(mu, log_var) for mu of shape (4, 3)")
    check_true(_z.requires_grad, "z", "z does not carry gradients back to mu and log_var",
               hint="build z from mu and log_var with torch operations; .sample() cuts the graph")
    _big = reparameterize(torch.full((20000, 1), 3.0), torch.full((20000, 1), math.log(4.0)))
    check_close(_big.mean(), 3.0, "mean of 20000 samples of N(3, 4)", atol=0.1)
    check_close(_big.std(), 2.0, "standard deviation of 20000 samples of N(3, 4)", atol=0.1,
                hint="log_var is log(sigma^2); sigma = exp(log_var / 2)")
    # Fresh noise on every call: two calls with the same inputs must give different samples.
    _first = reparameterize(torch.zeros(3, 2), torch.zeros(3, 2))
    _second = reparameterize(torch.zeros(3, 2), torch.zeros(3, 2))
    check_true(not torch.equal(_first, _second), "two calls of reparameterize with the same inputs",
               "both calls returned the same z: the noise is not drawn afresh on every call",
               hint="draw eps with torch.randn_like(mu) inside the function on every call; do not seed a "
                    "generator there or reuse noise drawn once")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # (a) Statistics: 200 000 samples per column. Standard error of the mean sigma / sqrt(n) <= 2 / 447 = 0.0045,
    # of the standard deviation about sigma / sqrt(2n) <= 0.0032; the tolerances are 6 to 7 standard errors.
    _n = 200_000
    _mu_t = torch.tensor([-2.0, 0.0, 3.0]).repeat(_n, 1)
    _sigma = torch.tensor([0.5, 1.0, 2.0])
    _lv_t = torch.log(_sigma ** 2).repeat(_n, 1)
    _zs = reparameterize(_mu_t, _lv_t)
    check_shape(_zs, (_n, 3), "reparameterize for inputs of shape (200000, 3)")
    check_allclose(_zs.mean(0), [-2.0, 0.0, 3.0], "column means of z", atol=0.03)
    check_allclose(_zs.std(0), _sigma, "column standard deviations of z", atol=0.0, rtol=0.02,
                   hint="the standard deviation is exp(log_var / 2), not exp(log_var) and not log_var itself")
    # Every row must get its own noise: the correlation between neighbouring rows must vanish.
    _e = ((_zs - _mu_t) / _sigma).double()
    _corr = float((_e[1:] * _e[:-1]).mean())
    check_true(abs(_corr) < 0.02, "noise of neighbouring rows", f"expected independent noise per entry, "
               f"got a correlation of {_corr:.3f}", hint="draw eps with torch.randn_like(mu): one value per entry")
    # (b) Fresh noise on every call.
    _a = reparameterize(torch.zeros(5, 2), torch.zeros(5, 2))
    _b = reparameterize(torch.zeros(5, 2), torch.zeros(5, 2))
    check_true(not torch.equal(_a, _b), "two calls with the same inputs", "expected different samples (fresh noise)")
    # (c) Gradients: dz/dmu = 1 and dz/dlog_var = (z - mu) / 2, exactly, for the noise that was drawn. float64 inputs.
    _g = torch.Generator().manual_seed(5)
    _mu_g = torch.randn(6, 4, generator=_g, dtype=torch.float64).requires_grad_(True)
    _lv_g = (0.5 * torch.randn(6, 4, generator=_g, dtype=torch.float64)).requires_grad_(True)
    _zg = reparameterize(_mu_g, _lv_g)
    check_shape(_zg, (6, 4), "reparameterize for inputs of shape (6, 4)")
    check_true(_zg.requires_grad, "z", "z does not carry gradients", hint="do not use .sample() or .detach()")
    _zg.sum().backward()
    check_true(_mu_g.grad is not None and _lv_g.grad is not None, "gradients of z.sum()",
               "no gradient reached mu or log_var", hint="z = mu + exp(log_var / 2) * eps with eps = "
                                                         "torch.randn_like(mu)")
    check_allclose(_mu_g.grad, torch.ones(6, 4), "d z.sum() / d mu", atol=1e-6)
    check_allclose(_lv_g.grad, 0.5 * (_zg.detach() - _mu_g.detach()), "d z.sum() / d log_var = (z - mu) / 2",
                   atol=1e-5, rtol=1e-5, hint="sigma = exp(log_var / 2), so dz/dlog_var = sigma * eps / 2")
    check_true(_zg.dtype == torch.float64, "dtype of z", f"expected float64 for float64 inputs, got {_zg.dtype}",
               hint="torch.randn_like(mu) matches the dtype and device of mu")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### The log-density of a reparameterised sample
#
# Sometimes we need $\log q_\phi(z \mid x)$ itself, for example to estimate the KL term by Monte Carlo. With $z = \mu + \sigma \odot \varepsilon$, the change-of-variables formula says that the density of $z$ is the density of $\varepsilon$ divided by the absolute Jacobian determinant $\lvert\det \partial z / \partial \varepsilon\rvert = \prod_j \sigma_j$:
#
# $$
# \log q_\phi(z \mid x) = \log \mathcal N(\varepsilon;\ 0, I) - \sum_{j=1}^{d} \log \sigma_j
# = \log \mathcal N(\varepsilon;\ 0, I) - \tfrac12 \sum_{j=1}^{d} \log \sigma^2_j .
# $$
#
# The sign makes sense: a wide Gaussian ($\sigma_j > 1$) spreads its mass, so its density is lower. Some code in circulation writes $+\,\lvert \sum_j \log\sigma_j \rvert$ instead. That agrees with the correct formula when $\sum_j \log\sigma_j \le 0$, which is typical for a trained encoder (its posteriors are narrower than the prior), and this is why the bug goes unnoticed; whenever $\sum_j \log\sigma_j > 0$, for instance at initialisation, it is wrong. The cell below compares the three versions with `torch.distributions.Normal(mu, sigma).log_prob(z)`, which evaluates the Gaussian density directly.

# %%
_demo_mu = torch.tensor([[0.5, -1.0, 2.0]])
_demo_log_var = torch.tensor([[0.8, 0.4, -0.2]])          # sum of log sigma = (0.8 + 0.4 - 0.2) / 2 = 0.5 > 0
_demo_eps = torch.randn(1, 3)
_demo_z = _demo_mu + torch.exp(0.5 * _demo_log_var) * _demo_eps
_standard = torch.distributions.Normal(0.0, 1.0)
_direct = torch.distributions.Normal(_demo_mu, torch.exp(0.5 * _demo_log_var)).log_prob(_demo_z).sum(-1)
_change = _standard.log_prob(_demo_eps).sum(-1) - 0.5 * _demo_log_var.sum(-1)
_abs_version = _standard.log_prob(_demo_eps).sum(-1) + (0.5 * _demo_log_var.sum(-1)).abs()
print(f"log q(z|x) from Normal(mu, sigma).log_prob:   {_direct.item():.4f}")
print(f"change of variables, - sum log sigma:         {_change.item():.4f}")
print(f"wrong: + |sum log sigma|:                     {_abs_version.item():.4f}")


# %% [markdown]
# ## 4. Task: the KL divergence to the prior (2 points)
#
# For two one-dimensional Gaussians the KL divergence has a closed form. With $q = \mathcal N(\mu, \sigma^2)$ and $p = \mathcal N(0, 1)$,
#
# $$
# \mathrm{KL}(q \,\|\, p) = \mathbb{E}_{q}\big[\log q(z) - \log p(z)\big]
# = \mathbb{E}_{q}\!\left[-\tfrac12 \log \sigma^2 - \frac{(z - \mu)^2}{2\sigma^2} + \frac{z^2}{2}\right]
# = -\tfrac12 \log\sigma^2 - \tfrac12 + \tfrac12\big(\sigma^2 + \mu^2\big),
# $$
#
# using $\mathbb{E}_q[(z - \mu)^2] = \sigma^2$ and $\mathbb{E}_q[z^2] = \sigma^2 + \mu^2$ (the $\log 2\pi$ terms cancel). The coordinates of a diagonal Gaussian are independent, so the KL divergences of the $d$ coordinates add up:
#
# $$
# \mathrm{KL}\big(q_\phi(z \mid x) \,\|\, \mathcal N(0, I)\big) = \frac12 \sum_{j=1}^{d} \Big(\sigma_j^2 + \mu_j^2 - 1 - \log \sigma_j^2\Big), \qquad \sigma_j^2 = \exp(\log\sigma_j^2).
# $$
#
# Every term is $\ge 0$ (because $t - 1 - \log t \ge 0$ for $t > 0$) and the sum is zero only when $\mu = 0$ and $\sigma = 1$. Computing this analytically is both exact and cheaper than a Monte Carlo estimate with the formula of the previous section.
#
# **Implement** `kl_to_standard_normal(mu, log_var)`:
#
# * **In:** `mu` and `log_var` (that is, $\log\sigma^2$) of shape `[B, d]`.
# * **Out:** a tensor of shape `[B]`: one KL divergence per example, **summed** (not averaged) over the $d$ latent dimensions, differentiable with respect to both inputs.

# %% nbgrader={"grade": false, "grade_id": "kl__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def kl_to_standard_normal(mu, log_var):
    """KL( N(mu, diag(exp(log_var))) || N(0, I) ) for each row.

    Args:
        mu: means, shape [B, d].
        log_var: log-variances log(sigma^2), shape [B, d].

    Returns:
        Tensor of shape [B]: 0.5 * sum_j (sigma_j^2 + mu_j^2 - 1 - log sigma_j^2), summed over the last dimension.
    """
    ### BEGIN SOLUTION
    return 0.5 * (torch.exp(log_var) + mu ** 2 - 1.0 - log_var).sum(dim=-1)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "kl__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _kl = kl_to_standard_normal(torch.zeros(3, 4), torch.zeros(3, 4))
    check_shape(_kl, (3,), "kl_to_standard_normal for inputs of shape (3, 4)")
    check_allclose(_kl, torch.zeros(3), "KL(N(0, I) || N(0, I))", atol=1e-6)
    # A KL divergence is never negative. For mu = 0 and sigma^2 = e^-2, e^-1 (narrower than the prior) each term
    # sigma^2 - 1 - log sigma^2 is positive; a wrong sign on the log term (or on the whole KL) makes it negative.
    _kl_n = kl_to_standard_normal(torch.zeros(1, 2), torch.tensor([[-2.0, -1.0]]))
    check_true(float(_kl_n.min()) >= 0.0, "KL for mu = 0 and log_var = [-2, -1]",
               f"expected a positive divergence (about {0.5 * (math.exp(-2) + 1 + math.exp(-1)):.4f}), "
               f"got {_kl_n.tolist()}: a KL divergence is never negative",
               hint="check the signs: 0.5 * sum(exp(log_var) + mu^2 - 1 - log_var); the log term is subtracted, and "
                    "the minus sign of the ELBO's KL term belongs to the ELBO, not to the divergence")
    # mu = 1 and sigma^2 = 1 in each of 4 dimensions: 0.5 * 4 * (1 + 1 - 1 - 0) = 2
    check_allclose(kl_to_standard_normal(torch.ones(2, 4), torch.zeros(2, 4)), [2.0, 2.0],
                   "KL(N(1, I) || N(0, I)) in 4 dimensions", atol=1e-5,
                   hint="sum over the latent dimensions (dim=-1), one value per example")
    # A wider (sigma^2 = 4) and a narrower (sigma^2 = 1/4) posterior: log_var holds log(sigma^2), so
    # sigma^2 = exp(log_var) and the last term is -log_var. Row 1: 0.5 (4 - 1 - log 4) + 0.5 (0.25);
    # row 2: 0.5 (1) + 0.5 (0.25 - 1 + log 4).
    _kl_w = kl_to_standard_normal(torch.tensor([[0.0, 0.5], [-1.0, 0.0]]),
                                  torch.tensor([[math.log(4.0), 0.0], [0.0, -math.log(4.0)]]))
    check_allclose(_kl_w, [0.5 * (3.0 - math.log(4.0)) + 0.125, 0.5 + 0.5 * (math.log(4.0) - 0.75)],
                   "KL for mu = [[0, 0.5], [-1, 0]] and sigma^2 = [[4, 1], [1, 1/4]]", atol=1e-5,
                   hint="log_var is log(sigma^2), not log(sigma): sigma^2 = exp(log_var) (not exp(2 log_var)) "
                        "and the log term is -log_var itself")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    _Normal = torch.distributions.Normal
    _g = torch.Generator().manual_seed(11)
    # (a) Against torch.distributions on random float64 inputs; the last two rows have sum(log sigma) > 0.
    _mu_k = torch.randn(6, 5, generator=_g, dtype=torch.float64)
    _lv_k = torch.randn(6, 5, generator=_g, dtype=torch.float64)
    _lv_k[4:] = _lv_k[4:].abs() + 0.5
    _expected = torch.distributions.kl_divergence(_Normal(_mu_k, torch.exp(0.5 * _lv_k)), _Normal(0.0, 1.0)).sum(-1)
    _got = kl_to_standard_normal(_mu_k, _lv_k)
    check_shape(_got, (6,), "KL for inputs of shape (6, 5)")
    check_allclose(_got, _expected, "KL against torch.distributions.kl_divergence", atol=1e-10, rtol=1e-10,
                   hint="0.5 * sum(exp(log_var) + mu^2 - 1 - log_var) over the last dimension")
    _expected1 = torch.distributions.kl_divergence(_Normal(_mu_k[:, :1], torch.exp(0.5 * _lv_k[:, :1])),
                                                   _Normal(0.0, 1.0))
    check_allclose(kl_to_standard_normal(_mu_k[:, :1], _lv_k[:, :1]), _expected1[:, 0],
                   "KL for a one-dimensional latent (shape (6, 1))", atol=1e-10, rtol=1e-10)
    # (b) Against a Monte Carlo estimate E_q[log q(z) - log p(z)] with 400 000 samples of one Gaussian in 3 dimensions
    # (with sum(log sigma) > 0). The integrand has standard deviation below 3 here, so the standard error is < 0.005.
    _mu_mc = torch.tensor([[0.7, -1.2, 0.3]], dtype=torch.float64)
    _lv_mc = torch.tensor([[0.9, -0.4, 0.6]], dtype=torch.float64)
    _q = _Normal(_mu_mc, torch.exp(0.5 * _lv_mc))
    _zmc = _q.sample((400_000,))                                # [400000, 1, 3]
    _mc = (_q.log_prob(_zmc) - _Normal(0.0, 1.0).log_prob(_zmc)).sum(-1).mean()
    check_close(kl_to_standard_normal(_mu_mc, _lv_mc)[0], float(_mc), "KL against a Monte Carlo estimate",
                atol=0.03, rtol=0)
    # (c) Gradients: dKL/dmu = mu and dKL/dlog_var = (exp(log_var) - 1) / 2.
    _mu_k.requires_grad_(True)
    _lv_k.requires_grad_(True)
    _out = kl_to_standard_normal(_mu_k, _lv_k)
    check_true(_out.requires_grad, "KL", "the result does not carry gradients")
    _out.sum().backward()
    check_allclose(_mu_k.grad, _mu_k.detach(), "dKL/dmu", atol=1e-10)
    check_allclose(_lv_k.grad, 0.5 * (torch.exp(_lv_k.detach()) - 1.0), "dKL/dlog_var", atol=1e-10,
                   hint="log_var is log(sigma^2), not log(sigma)")
    # (d) Large but finite inputs stay finite, and the divergence is never negative.
    _wide = kl_to_standard_normal(torch.tensor([[30.0, -30.0]]), torch.tensor([[8.0, -8.0]]))
    check_true(bool(torch.isfinite(_wide).all()) and float(_wide.min()) >= 0.0, "KL for mu = +-30, log_var = +-8",
               f"expected a finite non-negative value, got {_wide}")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# The next cell compares your analytic KL with Monte Carlo estimates $\frac1S \sum_s \big[\log q(z_s) - \log p(z_s)\big]$ that use the log-density of section 3, once with the correct sign and once with the $+\lvert\sum\log\sigma\rvert$ version. Only the correct one converges to the analytic value.

# %%
_mu_demo = torch.tensor([[0.5, -1.0, 2.0]])
_lv_demo = torch.tensor([[0.8, 0.4, -0.2]])
_eps = torch.randn(100_000, 3)
_z = _mu_demo + torch.exp(0.5 * _lv_demo) * _eps
_log_p = torch.distributions.Normal(0.0, 1.0).log_prob(_z).sum(-1)
_log_eps = torch.distributions.Normal(0.0, 1.0).log_prob(_eps).sum(-1)
_mc_right = (_log_eps - 0.5 * _lv_demo.sum() - _log_p).mean()
_mc_wrong = (_log_eps + (0.5 * _lv_demo.sum()).abs() - _log_p).mean()
print(f"analytic KL:                          {kl_to_standard_normal(_mu_demo, _lv_demo).item():.4f}")
print(f"Monte Carlo, correct log q:           {_mc_right.item():.4f}")
print(f"Monte Carlo, log q with +|sum log s|: {_mc_wrong.item():.4f}")


# %% [markdown]
# ## 5. Task: the negative ELBO (2 points)
#
# With one reparameterised sample $z = \mu + \sigma \odot \varepsilon$ per image, the negative ELBO of one image is
#
# $$
# \mathcal L(x) = \underbrace{\sum_{j=1}^{784} \mathrm{BCE}\big(\ell_j(z), x_j\big)}_{-\log p_\theta(x \mid z)} \;+\; \underbrace{\frac12 \sum_{k=1}^{d} \Big(\sigma_k^2 + \mu_k^2 - 1 - \log\sigma_k^2\Big)}_{\mathrm{KL}(q_\phi(z \mid x) \,\|\, p(z))} .
# $$
#
# Both sums matter. The reconstruction term is a **sum over the 784 pixels**, because the pixels are independent given $z$ and the log of a product is a sum. Averaging over pixels instead (`reduction="mean"`) silently divides the reconstruction term by 784, so the KL term dominates and the decoder learns to ignore $z$. A batch loss is then the mean of $\mathcal L(x)$ over the batch; that is done in the training step, not here.
#
# **Implement** `negative_elbo(x, logits, mu, log_var)`:
#
# * **In:** images `x` of shape `[B, 1, 28, 28]` (or any shape `[B, ...]`) with values in $[0, 1]$; decoder `logits` of the same shape; the encoder's `mu` and `log_var` of shape `[B, d]`.
# * **Out:** a tensor of shape `[B]`, the negative ELBO of each image, differentiable with respect to `logits`, `mu` and `log_var`.
# * **How:** `F.binary_cross_entropy_with_logits(logits, x, reduction="none")`, summed over every dimension except the first, plus your `kl_to_standard_normal(mu, log_var)`. Never apply `sigmoid` to the logits first: the loss functions on logits are exact also for logits like $\pm 100$, where `sigmoid` followed by `log` gives infinity.

# %% nbgrader={"grade": false, "grade_id": "neg_elbo__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
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
    ### BEGIN SOLUTION
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    reconstruction = bce.reshape(bce.shape[0], -1).sum(dim=1)
    return reconstruction + kl_to_standard_normal(mu, log_var)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "neg_elbo__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _x = torch.tensor([[[[1.0, 0.0], [0.5, 1.0]]]])            # one 2 x 2 image, shape (1, 1, 2, 2)
    _zero_logits = torch.zeros(1, 1, 2, 2)
    _ne = negative_elbo(_x, _zero_logits, torch.zeros(1, 3), torch.zeros(1, 3))
    check_shape(_ne, (1,), "negative_elbo for one image")
    # One image of one pixel x = 1 with logit 2 (q = N(0, I), no KL): the Bernoulli cost of that pixel is
    # BCE(2, 1) = softplus(2) - 2 = softplus(-2), whatever the reduction over pixels.
    _one = negative_elbo(torch.ones(1, 1, 1, 1), torch.full((1, 1, 1, 1), 2.0), torch.zeros(1, 3), torch.zeros(1, 3))
    check_close(_one[0], math.log1p(math.exp(-2.0)), "negative ELBO of one pixel x = 1 with logit 2 and q = N(0, I)",
                atol=1e-5, rtol=1e-5,
                hint="each pixel costs the Bernoulli negative log-likelihood of its logit, softplus(l) - x * l = "
                     "F.binary_cross_entropy_with_logits(logits, x): not a squared error, and no sigmoid applied "
                     "to the logits first")
    # logits 0 mean pi = 1/2 for every pixel: each pixel costs log 2 whatever its value; the KL is 0.
    check_close(_ne[0], 4 * math.log(2.0), "negative ELBO with zero logits and q = N(0, I)", atol=1e-5, rtol=1e-5,
                hint="sum the binary cross-entropy over the pixels of each image (not the mean)")
    _ne = negative_elbo(_x.repeat(3, 1, 1, 1), _zero_logits.repeat(3, 1, 1, 1), torch.ones(3, 2), torch.zeros(3, 2))
    check_allclose(_ne, [4 * math.log(2.0) + 1.0] * 3, "negative ELBO with mu = 1 in 2 latent dimensions", atol=1e-5,
                   hint="one value per image: reconstruction term + KL")
    # Confident logits, where sigmoid rounds to exactly 0 or 1 in float32. Per pixel BCE(l, x) = softplus(l) - x l:
    # (30, 0) and (-30, 1) cost 30 each, (-150, 1) and (150, 0) cost 150 each; q = N(0, I) adds no KL.
    _ne = negative_elbo(torch.tensor([[[[0.0, 1.0], [1.0, 0.0]]]]), torch.tensor([[[[30.0, -30.0], [-150.0, 150.0]]]]),
                        torch.zeros(1, 3), torch.zeros(1, 3))
    check_close(_ne[0], 360.0, "negative ELBO for confident logits +-30 and +-150 (float32)", atol=1e-3, rtol=1e-6,
                hint="do not apply sigmoid to the logits first: it rounds to exactly 0 or 1 here, so log gives "
                     "infinity (and the BCE on probabilities clamps it at 100); pass the logits themselves to "
                     "F.binary_cross_entropy_with_logits")
    # Any shape [B, ...]: flat images of shape [2, 5], zero logits (5 log 2 each) and mu = 1 in 2 dimensions (KL 1).
    _flat_hint = "sum over every dimension except the first, e.g. bce.reshape(len(x), -1).sum(1), not over fixed dims"
    try:
        _ne = negative_elbo(torch.rand(2, 5), torch.zeros(2, 5), torch.ones(2, 2), torch.zeros(2, 2))
    except (IndexError, RuntimeError) as _error:
        check_true(False, "negative_elbo for flat inputs of shape (2, 5)",
                   f"it raised {type(_error).__name__}: {_error}; x and logits may have any shape [B, ...]",
                   hint=_flat_hint)
    check_allclose(_ne, [5 * math.log(2.0) + 1.0] * 2, "negative ELBO for flat inputs of shape (2, 5), zero logits",
                   atol=1e-5, hint=_flat_hint)
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    _Normal = torch.distributions.Normal
    _Bernoulli = torch.distributions.Bernoulli
    _g = torch.Generator().manual_seed(21)

    def _reference(x, logits, mu, log_var):
        """-log p(x|z) from torch.distributions.Bernoulli (validate_args=False admits grey values) + KL from Normal."""
        rec = -_Bernoulli(logits=logits, validate_args=False).log_prob(x).reshape(x.shape[0], -1).sum(1)
        kl = torch.distributions.kl_divergence(_Normal(mu, torch.exp(0.5 * log_var)), _Normal(0.0, 1.0)).sum(-1)
        return rec + kl

    # (a) Fixed float64 tensors: three grey-valued images and two binary ones, moderate logits.
    _x = torch.rand(5, 1, 6, 6, generator=_g, dtype=torch.float64)
    _x[:2] = (_x[:2] > 0.5).double()
    _logits = 3.0 * torch.randn(5, 1, 6, 6, generator=_g, dtype=torch.float64)
    _mu = torch.randn(5, 3, generator=_g, dtype=torch.float64)
    _lv = 0.7 * torch.randn(5, 3, generator=_g, dtype=torch.float64)
    _got = negative_elbo(_x, _logits, _mu, _lv)
    check_shape(_got, (5,), "negative_elbo for a batch of 5 images of shape (1, 6, 6)")
    check_allclose(_got, _reference(_x, _logits, _mu, _lv), "negative ELBO against torch.distributions",
                   atol=1e-8, rtol=1e-8, hint="sum of BCE-with-logits over all pixels of an image, plus the KL")
    # (b) Flat images [B, 784]-style and a batch of one.
    _xf, _lf = _x.reshape(5, 36), _logits.reshape(5, 36)
    check_allclose(negative_elbo(_xf, _lf, _mu, _lv), _reference(_xf, _lf, _mu, _lv), "negative ELBO for flat images",
                   atol=1e-8, rtol=1e-8, hint="sum over every dimension except the first")
    check_allclose(negative_elbo(_x[:1], _logits[:1], _mu[:1], _lv[:1]),
                   _reference(_x[:1], _logits[:1], _mu[:1], _lv[:1]),
                   "negative ELBO for a batch of one", atol=1e-8, rtol=1e-8)
    # (c) Extreme float32 logits. Per pixel BCE(l, x) = softplus(l) - x l: (l, x) = (100, 1) and (-100, 0) cost about 0,
    # (-100, 1) and (100, 0) cost 100; with 1000 instead of 100 the last two cost 1000. q = N(0, I), so the KL is 0.
    _xe = torch.tensor([[1.0, 0.0, 1.0, 0.0]] * 2)
    _le = torch.tensor([[100.0, -100.0, -100.0, 100.0], [1000.0, -1000.0, -1000.0, 1000.0]])
    _ge = negative_elbo(_xe, _le, torch.zeros(2, 2), torch.zeros(2, 2))
    check_shape(_ge, (2,), "negative_elbo for extreme logits")
    check_allclose(_ge, [200.0, 2000.0], "negative ELBO for logits +-100 and +-1000 (float32)", atol=1e-3, rtol=1e-6,
                   hint="sigmoid rounds to exactly 0 or 1 for such logits; use F.binary_cross_entropy_with_logits "
                        "on the logits themselves")
    # (d) Gradients: d/dlogits = sigmoid(logits) - x; d/dmu = mu (from the KL).
    _lg = _logits.clone().requires_grad_(True)
    _mg = _mu.clone().requires_grad_(True)
    _out = negative_elbo(_x, _lg, _mg, _lv)
    check_true(_out.requires_grad, "negative_elbo", "the result does not carry gradients")
    _out.sum().backward()
    check_allclose(_lg.grad, torch.sigmoid(_logits) - _x, "d negative_elbo / d logits", atol=1e-10)
    check_allclose(_mg.grad, _mu, "d negative_elbo / d mu", atol=1e-10, hint="+ KL, not - KL")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 6. The VAE and one training step
#
# The model is deliberately small: one hidden layer of 400 units in the encoder and in the decoder, and a latent space of $d = 16$ dimensions. The encoder ends in **two** linear heads, one for $\mu$ and one for $\log\sigma^2$; the decoder ends in a linear layer that returns **logits** (no sigmoid). `forward` runs the whole chain: encode, draw $z$ with your `reparameterize`, decode.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "vae_model", "locked": true, "schema_version": 3, "solution": false, "task": false}
LATENT_DIM = 16
VAE_HIDDEN = 400
VAE_BATCH = 128
VAE_LR = 2e-3


class VAE(nn.Module):
    """Encoder x -> (mu, log_var) and decoder z -> logits, each an MLP with one hidden layer."""

    def __init__(self, latent_dim=LATENT_DIM, hidden=VAE_HIDDEN):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU())
        self.to_mu = nn.Linear(hidden, latent_dim)
        self.to_log_var = nn.Linear(hidden, latent_dim)
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 28 * 28))

    def encode(self, x):
        """[B, 1, 28, 28] -> mu, log_var, each [B, latent_dim]."""
        h = self.encoder(x)
        return self.to_mu(h), self.to_log_var(h)

    def decode(self, z):
        """[B, latent_dim] -> logits [B, 1, 28, 28]; sigmoid(logits) are the pixel probabilities."""
        return self.decoder(z).view(-1, 1, 28, 28)

    def forward(self, x):
        """[B, 1, 28, 28] -> (logits, mu, log_var), with one reparameterised sample z per image."""
        mu, log_var = self.encode(x)
        z = reparameterize(mu, log_var)
        return self.decode(z), mu, log_var


# %% [markdown]
# ## 7. Task: one VAE training step (2 + 1 points)
#
# One step of stochastic gradient descent on the negative ELBO has four parts, in this order:
#
# 1. the forward pass: `logits, mu, log_var = model(x)`;
# 2. the batch loss: the **mean** over the batch of `negative_elbo(...)` (a mean, so that the learning rate does not depend on the batch size);
# 3. `optimizer.zero_grad()` and `loss.backward()`: PyTorch **adds** new gradients to the `.grad` fields, so without `zero_grad()` every step would use the sum of all earlier gradients;
# 4. `optimizer.step()`.
#
# **Implement** `vae_train_step(model, optimizer, x)`:
#
# * **In:** a model whose call `model(x)` returns `(logits, mu, log_var)` as the `VAE` above does; its optimiser; a batch `x` of shape `[B, 1, 28, 28]` on the model's device.
# * **Out:** the batch loss (the mean negative ELBO *before* the update) as a Python `float`. Convert with `.item()` only after `backward()`; a float has no gradient.

# %% nbgrader={"grade": false, "grade_id": "vae_step__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def vae_train_step(model, optimizer, x):
    """One optimisation step of a VAE on the mean negative ELBO of the batch x.

    Args:
        model: module with model(x) -> (logits, mu, log_var).
        optimizer: optimiser over the model's parameters.
        x: batch of images in [0, 1], shape [B, 1, 28, 28].

    Returns:
        The mean negative ELBO of the batch, computed before the update, as a Python float.
    """
    ### BEGIN SOLUTION
    logits, mu, log_var = model(x)
    loss = negative_elbo(x, logits, mu, log_var).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "vae_step__mechanics", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    torch.manual_seed(1234)
    _model = VAE().to(DEVICE)
    _opt = torch.optim.Adam(_model.parameters(), lr=1e-3)
    _before = [p.detach().clone() for p in _model.decoder.parameters()]
    _loss = vae_train_step(_model, _opt, train_images[:16])
    check_python_float(_loss, "vae_train_step(...)")
    check_true(math.isfinite(_loss) and _loss > 0, "loss of one step",
               f"expected a finite positive number, got {_loss}")
    check_true(any(not torch.equal(a, b.detach()) for a, b in zip(_before, _model.decoder.parameters())),
               "decoder parameters after one step", "the parameters did not change",
               hint="call optimizer.step() after loss.backward(), and do not call optimizer.zero_grad() between "
                    "backward() and step(): it wipes the gradients that the step needs")
    # The returned loss is the mean over the batch: on the scale of one image's negative ELBO. Recompute it for
    # 8 images on an untouched copy of the model with the same noise (the same seed before the forward pass).
    _fresh = VAE().to(DEVICE)
    _copy = copy.deepcopy(_fresh)
    _x8 = train_images[24:32]
    torch.manual_seed(99)
    _returned = vae_train_step(_fresh, torch.optim.SGD(_fresh.parameters(), lr=0.01), _x8)
    torch.manual_seed(99)
    with torch.no_grad():
        _per_image = negative_elbo(_x8, *_copy(_x8))
    check_close(_returned, float(_per_image.mean()), "returned loss for a batch of 8 images", atol=0.0, rtol=0.05,
                hint="the batch loss is the mean over the images of negative_elbo(...), not the sum: "
                     "the learning rate must not depend on the batch size")
    # The same step (same start, same batch, same noise) once with gradients left over in every .grad field.
    check_step_clears_stale_gradients(
        lambda: [VAE().to(DEVICE)],
        lambda models: vae_train_step(models[0], torch.optim.SGD(models[0].parameters(), lr=0.01), train_images[16:24]),
        "vae_train_step(...)",
        hint="call optimizer.zero_grad() before loss.backward(): PyTorch adds new gradients to .grad")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    _g = torch.Generator().manual_seed(31)


    class _TinyVAE(nn.Module):
        """A deterministic stand-in (no sampling): one linear layer gives logits, mu and log_var of 2 x 2 images."""

        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(4, 4 + 2 + 2)

        def forward(self, x):
            out = self.layer(x.reshape(x.shape[0], -1))
            return out[:, :4].reshape(x.shape), out[:, 4:6], 0.5 * torch.tanh(out[:, 6:8])


    def _reference_loss(model, x):
        """Mean over the batch of sum_j [softplus(l_j) - x_j l_j] + 0.5 sum_k (exp(v_k) + m_k^2 - 1 - v_k)."""
        logits, mu, log_var = model(x)
        rec = (F.softplus(logits) - x * logits).reshape(x.shape[0], -1).sum(1)
        kl = 0.5 * (torch.exp(log_var) + mu ** 2 - 1.0 - log_var).sum(1)
        return (rec + kl).mean()


    _tiny = _TinyVAE()
    with torch.no_grad():
        for _p in _tiny.parameters():
            _p.copy_(0.7 * torch.randn(_p.shape, generator=_g))
    _x = torch.rand(6, 1, 2, 2, generator=_g)
    # Expected: plain SGD (lr 0.1) on the mean loss, computed on an independent copy.
    _ref = copy.deepcopy(_tiny)
    _ref_loss = _reference_loss(_ref, _x)
    _ref_loss.backward()
    _expected = [(_p - 0.1 * _p.grad).detach() for _p in _ref.parameters()]
    for _p in _tiny.parameters():                       # stale gradients from an earlier step: must be cleared
        _p.grad = torch.full_like(_p, 50.0)
    _returned = vae_train_step(_tiny, torch.optim.SGD(_tiny.parameters(), lr=0.1), _x)
    check_python_float(_returned, "vae_train_step(...) on a stand-in model")
    check_close(_returned, _ref_loss.item(), "returned loss (mean negative ELBO of the batch, before the step)",
                atol=1e-5, rtol=1e-5, hint="the mean over the batch, not the sum; computed before optimizer.step()")
    for _name, _p in _tiny.named_parameters():
        check_true(_p.grad is not None and bool(torch.isfinite(_p.grad).all()), f"gradient of {_name}",
                   "expected a finite gradient after the step")
    for (_name, _p), _want in zip(_tiny.named_parameters(), _expected):
        check_allclose(_p, _want, f"parameter {_name} after one SGD step (lr 0.1)", atol=1e-5, rtol=1e-5,
                       hint="zero_grad() before backward() (gradients accumulate), then optimizer.step(); "
                            "the loss is the batch mean")
    # A second step on the same model continues from the new parameters (nothing is cached between calls).
    _ref2 = copy.deepcopy(_tiny)
    _ref2_loss = _reference_loss(_ref2, _x).item()
    check_close(vae_train_step(_tiny, torch.optim.SGD(_tiny.parameters(), lr=0.1), _x), _ref2_loss,
                "returned loss of a second step", atol=1e-5, rtol=1e-5)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 8. Training the VAE
#
# The loop below is the whole training: a new random order of the training images every epoch, mini-batches of 128 taken by indexing, and your `vae_train_step`. The progress bar (`tqdm`) shows the loss of the latest batch. It prints to the notebook, not into a graded cell. Every now and then the loop also measures the two parts of the negative ELBO, the reconstruction term and the KL term, on a fixed set of 256 training images, for a plot at the end of Part I; it computes them with formulas of its own, not with your functions.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "vae_train", "locked": true, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(SEED)
vae = VAE().to(DEVICE)
vae_optimizer = torch.optim.Adam(vae.parameters(), lr=VAE_LR)
vae_history = []                       # the loss of every mini-batch, in order
# The two parts of the negative ELBO on a fixed set of 256 training images, measured after 30 to 40 of the steps,
# spaced evenly on a log scale (dense at the start, where they change fastest). Plain formulas and noise from a
# generator of their own: the training itself runs exactly as without them.
vae_split = {"step": [], "reconstruction": [], "kl": []}
n_vae_steps = CONFIG["vae_epochs"] * math.ceil(N_TRAIN / VAE_BATCH)
SPLIT_STEPS = set(np.geomspace(1, n_vae_steps, 40).round().astype(int).tolist())


def record_vae_split():
    with torch.no_grad():
        x = train_images[:256]
        mu, log_var = vae.encode(x)
        eps = torch.randn(mu.shape, device=DEVICE, generator=torch.Generator(device=DEVICE).manual_seed(0))
        logits = vae.decode(mu + torch.exp(0.5 * log_var) * eps)
        vae_split["step"].append(len(vae_history))
        vae_split["reconstruction"].append(
            F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum((1, 2, 3)).mean().item())
        vae_split["kl"].append((0.5 * (log_var.exp() + mu ** 2 - 1 - log_var)).sum(1).mean().item())


t_start = time.perf_counter()
for epoch in range(CONFIG["vae_epochs"]):
    order = torch.randperm(N_TRAIN, device=DEVICE)
    progress = tqdm(range(0, N_TRAIN, VAE_BATCH), desc=f"VAE epoch {epoch + 1}/{CONFIG['vae_epochs']}", leave=False)
    for start in progress:
        vae_history.append(vae_train_step(vae, vae_optimizer, train_images[order[start:start + VAE_BATCH]]))
        progress.set_postfix(loss=f"{vae_history[-1]:.1f}", refresh=False)
        if len(vae_history) in SPLIT_STEPS:
            record_vae_split()
    n_batches = math.ceil(N_TRAIN / VAE_BATCH)
    print(f"epoch {epoch + 1}: mean negative ELBO {np.mean(vae_history[-n_batches:]):.1f}")
print(f"{len(vae_history)} steps in {time.perf_counter() - t_start:.1f} s")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "vae_step__trend", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _steps = CONFIG["vae_epochs"] * math.ceil(N_TRAIN / VAE_BATCH)
    check_true(len(vae_history) == _steps, "vae_history",
               f"expected one loss per mini-batch ({_steps}), got {len(vae_history)}")
    check_true(all(isinstance(_v, float) and math.isfinite(_v) and _v > 0 for _v in vae_history), "vae_history",
               "expected finite positive Python floats (a negative ELBO of a Bernoulli decoder is positive)")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # Measured at the grading size (6000 images, 2 epochs), seeds 0-4: the mean of the last 10 batch losses is
    # 0.37-0.38 times the mean of the first 5 (about 445 -> 165). A decoder that outputs the average training image
    # for every code would reach about 206 (a ratio near 0.46); a training step that does not learn stays near 1.
    _first = float(np.mean(vae_history[:5]))
    _last = float(np.mean(vae_history[-10:]))
    check_true(_last < 0.5 * _first, "training loss of the VAE",
               f"expected the mean of the last 10 batch losses to be below 0.5 x the mean of the first 5, "
               f"got {_last:.1f} vs {_first:.1f}", hint="check zero_grad / backward / step in vae_train_step")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### What the VAE learned
#
# Three pictures, all from the trained model (at the grading size it has seen each image only twice, so expect blurry digits; the full run gives clearly readable ones):
#
# 1. **Reconstructions**: test images (top row) and the decoder's pixel probabilities $\operatorname{sigmoid}(\ell(\mu_\phi(x)))$ for their mean codes (bottom row).
# 2. **Samples from the prior**: $z \sim \mathcal N(0, I)$, decoded. This is the generative model; no image was encoded. We show the pixel probabilities (the mean of the Bernoulli) rather than random 0/1 pixels drawn from them, as is customary.
# 3. **Interpolations**: the straight line between the mean codes of two test digits, decoded at 10 evenly spaced points. A smooth sequence of plausible digits means that the latent space is organised, which the KL term encourages.

# %%
fig, ax = plt.subplots(figsize=(10, 3))
ax.plot(vae_history, alpha=0.4, label="batch loss")
window = max(1, len(vae_history) // 20)
ax.plot(np.arange(window - 1, len(vae_history)), np.convolve(vae_history, np.ones(window) / window, mode="valid"),
        label=f"moving average ({window} batches)")
ax.set_yscale("log")
ax.set_xlabel("training step")
ax.set_ylabel("negative ELBO per image")
ax.set_title("VAE training loss")
ax.legend()
plt.show()

with torch.no_grad():
    originals = test_images[:12]
    mu_test, _ = vae.encode(originals)
    reconstructions = torch.sigmoid(vae.decode(mu_test))
    prior_samples = torch.sigmoid(vae.decode(torch.randn(48, LATENT_DIM, device=DEVICE)))

fig, axes = plt.subplots(1, 2, figsize=(14, 4))
show_images(torch.cat([originals, reconstructions]), nrow=12, ax=axes[0],
            title="test images (top) and their reconstructions (bottom)")
show_images(prior_samples, nrow=12, ax=axes[1], title="VAE: decoded samples z ~ N(0, I)")
plt.tight_layout()
plt.show()


# %%
def first_index_of(digit):
    return int((test_labels == digit).nonzero()[0])

pairs = [(3, 8), (1, 7), (4, 9), (0, 6)]
steps = torch.linspace(0, 1, 10, device=DEVICE)
rows = []
with torch.no_grad():
    for a, b in pairs:
        mu_pair, _ = vae.encode(test_images[[first_index_of(a), first_index_of(b)]])
        path = (1 - steps)[:, None] * mu_pair[0] + steps[:, None] * mu_pair[1]
        rows.append(torch.sigmoid(vae.decode(path)))
fig, ax = plt.subplots(figsize=(9, 4))
show_images(torch.cat(rows), nrow=10, ax=ax, title="Straight lines in latent space: " +
            ", ".join(f"{a} to {b}" for a, b in pairs))
plt.show()

# %% [markdown]
# ### The two parts of the loss
#
# The negative ELBO is a sum of two terms that pull in opposite directions. The **reconstruction** term $-\log p_\theta(x \mid z)$ falls when the code $z$ carries more information about the image; the **KL** term $\mathrm{KL}(q_\phi(z \mid x) \,\|\, p(z))$, averaged over the images, is an upper bound, in nats, on how much information the codes carry about the images, and it is zero only when every image gets the prior as its code distribution. Training buys a lower reconstruction cost by spending KL. The left plot below shows both terms, measured by the training loop on its fixed set of 256 training images; their sum is the negative ELBO of those images (one sample of $z$ per image, as in training).
#
# The dashed line is about the best that a decoder which ignores $z$ can reach: it outputs the same pixel probabilities for every code, and the best such probabilities are the average of the images (here the average training image). A VAE in **posterior collapse** ends up there: the encoder returns the prior for every image, the KL curve falls to 0, the reconstruction curve stays at the dashed line, and every sample looks like the same blurred average digit. This happens with decoders powerful enough to model the images on their own (an autoregressive decoder, say) or when the KL term weighs too much, as it does when the reconstruction term is averaged over the pixels instead of summed (section 5). In our runs the first hundred steps show a brief episode of this kind: the KL rises, then falls back to a few nats while the reconstruction term sits on the dashed line (the decoder has learned the average digit, which needs no code), and only after that does the reconstruction drop below the line while the KL grows again, as the codes begin to carry information about each image. Collapse can also hit single latent dimensions: the right plot shows the KL of each of the 16 dimensions at the end of training; a dimension with a KL near 0 is unused, its code is pure prior noise.

# %%
with torch.no_grad():
    split_images = train_images[:256]
    mean_image = train_images.mean(0, keepdim=True).clamp(1e-4, 1 - 1e-4)   # a decoder that ignores z
    ignore_z = F.binary_cross_entropy(mean_image.expand_as(split_images), split_images,
                                      reduction="none").sum((1, 2, 3)).mean().item()
    mu_split, log_var_split = vae.encode(split_images)
    kl_per_dim = (0.5 * (log_var_split.exp() + mu_split ** 2 - 1 - log_var_split)).mean(0).cpu().numpy()

fig, axes = plt.subplots(1, 2, figsize=(14, 4), gridspec_kw={"width_ratios": [1.6, 1]})
axes[0].plot(vae_split["step"], vae_split["reconstruction"], marker=".", label="reconstruction $-\\log p(x \\mid z)$")
axes[0].plot(vae_split["step"], vae_split["kl"], marker=".", label="KL$(q(z \\mid x) \\,\\|\\, p(z))$")
axes[0].plot(vae_split["step"], np.add(vae_split["reconstruction"], vae_split["kl"]), color="grey", alpha=0.6,
             label="sum: negative ELBO")
axes[0].axhline(ignore_z, color="C0", linestyle="--", label=f"reconstruction if z is ignored ({ignore_z:.0f})")
axes[0].set_xscale("log")
axes[0].set_yscale("log")
axes[0].set_xlabel("training step (log scale)")
axes[0].set_ylabel("nats per image (log scale)")
axes[0].set_title("VAE: reconstruction against KL during training")
axes[0].legend(fontsize=9)
axes[1].bar(np.arange(1, LATENT_DIM + 1), np.sort(kl_per_dim)[::-1])
axes[1].set_xlabel("latent dimension (sorted by its KL)")
axes[1].set_ylabel("mean KL (nats per image)")
axes[1].set_title(f"KL per latent dimension after training (total {kl_per_dim.sum():.1f})")
plt.tight_layout()
plt.show()
print(f"after the last step: reconstruction {vae_split['reconstruction'][-1]:.1f}, KL {vae_split['kl'][-1]:.1f} nats; "
      f"{int((kl_per_dim < 0.05).sum())} of {LATENT_DIM} dimensions have a KL below 0.05 nats")

# %% [markdown]
# ### The latent space, seen from above
#
# The encoder maps each image to the mean $\mu_\phi(x)$ of its code distribution, a point in 16 dimensions. To look at these points we project them onto the two directions along which they vary most (the first two principal components, computed with an SVD) and colour each point by the digit's label, which the VAE never saw.

# %%
N_CODES = 3000
with torch.no_grad():
    codes, _ = vae.encode(test_images[:N_CODES])
centred = codes - codes.mean(0)
_, singular_values, directions = torch.linalg.svd(centred, full_matrices=False)
projected = (centred @ directions[:2].T).cpu().numpy()
explained = (singular_values ** 2 / (singular_values ** 2).sum()).cpu().numpy()
code_labels = test_labels[:N_CODES].cpu().numpy()

fig, ax = plt.subplots(figsize=(8, 6.5))
for digit in range(10):
    chosen = code_labels == digit
    ax.scatter(projected[chosen, 0], projected[chosen, 1], s=5, alpha=0.6, color=plt.cm.tab10(digit), label=str(digit))
ax.set_xlabel(f"principal component 1 ({explained[0]:.0%} of the variance)")
ax.set_ylabel(f"principal component 2 ({explained[1]:.0%} of the variance)")
ax.set_title(f"VAE encoder means $\\mu_\\phi(x)$ of {N_CODES} test images, projected by PCA")
ax.legend(title="digit", markerscale=3, loc="center left", bbox_to_anchor=(1.0, 0.5))
plt.tight_layout()
plt.show()

# %% [markdown]
# Although the labels played no part in training, images of the same digit tend to land near each other, and digits that share strokes, such as 4, 7 and 9, sit side by side: the encoder has organised its codes by what the digits look like, which is why the straight lines above pass through plausible digits. Clouds that overlap in this picture need not overlap in all 16 dimensions, since the two directions shown carry only part of the variance (see the axis labels).

# %% [markdown]
# # Part II: the generative adversarial network
#
# ## 9. A game instead of a likelihood
#
# A GAN has no encoder and no likelihood. The **generator** $G$ turns noise $z \sim \mathcal N(0, I)$ into an image $G(z)$; the **discriminator** $D$ looks at an image and returns the probability $D(x) \in (0, 1)$ that it is a real training image. The two are trained against each other on the value
#
# $$
# V(D, G) = \mathbb{E}_{x \sim p_{\text{data}}}\big[\log D(x)\big] + \mathbb{E}_{z \sim \mathcal N(0, I)}\big[\log\big(1 - D(G(z))\big)\big],
# $$
#
# which $D$ maximises (say "real" to real images and "fake" to generated ones) and $G$ minimises. For a fixed $G$ the best discriminator is $D^*(x) = \frac{p_{\text{data}}(x)}{p_{\text{data}}(x) + p_G(x)}$, and with it $V(D^*, G) = 2\,\mathrm{JS}(p_{\text{data}} \,\|\, p_G) - \log 4$, where $\mathrm{JS}$ is the Jensen–Shannon divergence: in the ideal game the generator minimises a divergence between its distribution and the data, without ever evaluating a density.
#
# **Logits.** Our discriminator network returns a real number $s(x)$, the **logit**, and $D(x) = \operatorname{sigmoid}(s(x))$. All losses are computed from $s$ directly, with
#
# $$
# -\log \operatorname{sigmoid}(s) = \operatorname{softplus}(-s), \qquad -\log\big(1 - \operatorname{sigmoid}(s)\big) = \operatorname{softplus}(s).
# $$
#
# The naive route, `torch.log(torch.sigmoid(s))`, breaks exactly when the game gets interesting: a confident discriminator produces logits of $\pm 100$ and more, `sigmoid` rounds them to exactly 0 or 1 in float32, and the logarithm returns $-\infty$; the loss becomes `inf` and the gradients `nan`. (`F.binary_cross_entropy` on probabilities hides the problem by clamping the logarithm at $-100$, which gives a wrong loss and a zero gradient instead.) `F.binary_cross_entropy_with_logits` and `F.logsigmoid` evaluate the right-hand sides above stably.
#
# **The two losses** (each a mean over its batch):
#
# $$
# \mathcal L_D = \operatorname{mean}_{\text{real}} \operatorname{softplus}\big(-s(x)\big) + \operatorname{mean}_{\text{fake}} \operatorname{softplus}\big(s(G(z))\big) = -\widehat{V}(D, G),
# $$
#
# $$
# \mathcal L_G^{\text{NS}} = \operatorname{mean}_{\text{fake}} \operatorname{softplus}\big(-s(G(z))\big) = -\operatorname{mean} \log D(G(z)) .
# $$
#
# The generator does **not** minimise $V$ itself. Early in training, the discriminator easily rejects the generator's images: $s(G(z)) \ll 0$. The minimax loss $\operatorname{mean} \log(1 - D(G(z))) = -\operatorname{mean}\operatorname{softplus}(s)$ has derivative $-\operatorname{sigmoid}(s) \approx 0$ with respect to $s$ there: it **saturates**, and the generator learns nothing exactly when it most needs to. The **non-saturating** loss $\mathcal L_G^{\text{NS}}$ has the same fixed point but derivative $-\operatorname{sigmoid}(-s) \approx -1$ for $s \ll 0$: a strong signal when the generator is bad. (Goodfellow et al., 2014, section 3.)
#
# **Data in $[-1, 1]$.** The generator ends in $\tanh$, whose outputs lie in $(-1, 1)$, so for the GAN we rescale the images from $[0, 1]$ to $[-1, 1]$ with $x \mapsto 2x - 1$ (and back with $(x + 1)/2$ for plotting and for the classifier). Otherwise the discriminator could tell real from fake by the range of the pixel values alone. We also flatten the images to vectors of 784 numbers, since both networks are MLPs.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "gan_model", "locked": true, "schema_version": 3, "solution": false, "task": false}
Z_DIM = 64
GAN_BATCH = 64
GAN_LR = 2e-4
GAN_BETAS = (0.5, 0.999)       # the customary Adam settings for GANs: less momentum than the default 0.9


def make_generator(z_dim=Z_DIM):
    """MLP z [B, z_dim] -> image [B, 784] with values in (-1, 1)."""
    return nn.Sequential(nn.Linear(z_dim, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                         nn.Linear(512, 28 * 28), nn.Tanh())


def make_discriminator():
    """MLP image [B, 784] -> logit [B, 1] (no sigmoid: D(x) = sigmoid(logit))."""
    return nn.Sequential(nn.Linear(28 * 28, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                         nn.Linear(256, 1))


gan_data = train_images.reshape(N_TRAIN, -1) * 2 - 1      # [N_TRAIN, 784] in [-1, 1], on DEVICE
print(f"GAN data: shape {tuple(gan_data.shape)}, values in [{gan_data.min().item():.0f}, {gan_data.max().item():.0f}]")


# %% [markdown]
# ## 10. Task: the discriminator loss (2 points)
#
# **Implement** `discriminator_loss(real_logits, fake_logits)`:
#
# * **In:** the discriminator's logits for a batch of real images and for a batch of generated images, tensors of shape `[B_real, 1]` and `[B_fake, 1]` (or `[B_real]`, `[B_fake]`); the two batch sizes may differ.
# * **Out:** a 0-dim tensor $\mathcal L_D$: the mean over the real logits of $\operatorname{softplus}(-s)$ **plus** the mean over the fake logits of $\operatorname{softplus}(s)$, differentiable with respect to both inputs and finite for any finite logits.
# * **How:** `F.binary_cross_entropy_with_logits(logits, targets)` with targets 1 for real and 0 for fake (`torch.ones_like`, `torch.zeros_like`), or `F.softplus` / `F.logsigmoid`. Never `sigmoid` followed by `log`.

# %% nbgrader={"grade": false, "grade_id": "d_loss__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the standard GAN, computed stably from logits.

    Args:
        real_logits: D's logits for real images, shape [B_real, 1] or [B_real].
        fake_logits: D's logits for generated images, shape [B_fake, 1] or [B_fake].

    Returns:
        0-dim tensor: mean(softplus(-real_logits)) + mean(softplus(fake_logits)),
        i.e. -mean log D(x_real) - mean log(1 - D(x_fake)).
    """
    ### BEGIN SOLUTION
    real_term = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake_term = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real_term + fake_term
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "d_loss__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _r = torch.tensor([[2.0], [0.0]])
    _f = torch.tensor([[-1.0], [0.0], [3.0]])
    _dl = discriminator_loss(_r, _f)
    check_scalar_tensor(_dl, "discriminator_loss(real_logits, fake_logits)")
    # softplus(-2) = log(1 + e^-2), softplus(0) = log 2, softplus(-1) = log(1 + e^-1), softplus(3) = log(1 + e^3)
    _want = ((math.log1p(math.exp(-2)) + math.log(2)) / 2
             + (math.log1p(math.exp(-1)) + math.log(2) + math.log1p(math.exp(3))) / 3)
    check_close(_dl, _want, "discriminator loss for real logits [2, 0] and fake logits [-1, 0, 3]", atol=1e-5,
                rtol=1e-5,
                hint="mean over the real batch of -log sigmoid(s) plus mean over the fake batch of -log(1 - "
                     "sigmoid(s))")
    # Confident logits, where sigmoid rounds to exactly 0 or 1 in float32: the real terms are softplus(-50) (about 0)
    # and softplus(120) = 120, the fake ones softplus(-80) (about 0), softplus(30) = 30 and softplus(0) = log 2.
    _dl = discriminator_loss(torch.tensor([[50.0], [-120.0]]), torch.tensor([[-80.0], [30.0], [0.0]]))
    check_close(_dl, 120.0 / 2 + (30.0 + math.log(2)) / 3,
                "discriminator loss for real logits [50, -120] and fake logits [-80, 30, 0] (float32)", atol=1e-4,
                rtol=1e-6, hint="logits this large must give finite losses, but sigmoid rounds them to exactly 0 or 1 "
                                "and log then returns -inf; compute the loss from the logits with "
                                "F.binary_cross_entropy_with_logits, F.softplus or F.logsigmoid")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    def _softplus_np(v):
        """log(1 + e^v) in float64 without overflow."""
        return np.logaddexp(0.0, v)

    _g = torch.Generator().manual_seed(41)
    # (a) Random logits, different batch sizes, float64, shapes [B, 1] and [B].
    for _nr, _nf in [(7, 4), (3, 9)]:
        _r = 4.0 * torch.randn(_nr, 1, generator=_g, dtype=torch.float64)
        _f = 4.0 * torch.randn(_nf, 1, generator=_g, dtype=torch.float64)
        _want = float(_softplus_np(-_r.numpy()).mean() + _softplus_np(_f.numpy()).mean())
        _got = discriminator_loss(_r, _f)
        check_scalar_tensor(_got, f"discriminator loss for {_nr} real and {_nf} fake logits")
        check_close(_got, _want, f"discriminator loss for {_nr} real and {_nf} fake logits", atol=1e-10, rtol=1e-10,
                    hint="the sum of two means (real: target 1, fake: target 0), each over its own batch")
        check_close(discriminator_loss(_r[:, 0], _f[:, 0]), _want, "discriminator loss for logits of shape [B]",
                    atol=1e-10, rtol=1e-10)
    # (b) Extreme float32 logits, where sigmoid rounds to exactly 0 or 1.
    #     confident and right: softplus(-100) + softplus(-100) = 2 * 3.7e-44, about 0
    #     confident and wrong: softplus(100) + softplus(100) = 200; with 1000: 2000
    for _s, _want in [(100.0, 0.0), (-100.0, 200.0), (-1000.0, 2000.0)]:
        _r = torch.full((4, 1), _s, requires_grad=True)
        _f = torch.full((5, 1), -_s, requires_grad=True)
        _got = discriminator_loss(_r, _f)
        check_scalar_tensor(_got, f"discriminator loss for real logits {_s:g}, fake logits {-_s:g}", requires_grad=True)
        check_close(_got, _want, f"discriminator loss for real logits {_s:g} and fake logits {-_s:g} (float32)",
                    atol=1e-4, rtol=1e-6, hint="compute the loss from the logits (softplus, logsigmoid or "
                                                "binary_cross_entropy_with_logits), never log(sigmoid(.))")
        _got.backward()
        # d/ds_real = -sigmoid(-s) / B_real, d/ds_fake = sigmoid(s_fake) / B_fake
        check_allclose(_r.grad, torch.full((4, 1), float(torch.sigmoid(torch.tensor(-_s))) * -1 / 4),
                       f"gradient w.r.t. real logits {_s:g}", atol=1e-7)
        check_allclose(_f.grad, torch.full((5, 1), float(torch.sigmoid(torch.tensor(-_s))) / 5),
                       f"gradient w.r.t. fake logits {-_s:g}", atol=1e-7)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 11. Task: the non-saturating generator loss (2 points)
#
# **Implement** `generator_loss(fake_logits)`:
#
# * **In:** the discriminator's logits for a batch of generated images, shape `[B, 1]` or `[B]`.
# * **Out:** a 0-dim tensor $\mathcal L_G^{\text{NS}} = \operatorname{mean} \operatorname{softplus}(-s) = -\operatorname{mean}\log D(G(z))$: the generator wants its images to be called *real* (target 1). Differentiable, and finite for any finite logits.

# %% nbgrader={"grade": false, "grade_id": "g_loss__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def generator_loss(fake_logits):
    """Non-saturating generator loss -mean log D(G(z)), computed stably from logits.

    Args:
        fake_logits: D's logits for generated images, shape [B, 1] or [B].

    Returns:
        0-dim tensor: mean(softplus(-fake_logits)).
    """
    ### BEGIN SOLUTION
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "g_loss__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _gl = generator_loss(torch.tensor([[0.0], [2.0]]))
    check_scalar_tensor(_gl, "generator_loss(fake_logits)")
    check_close(_gl, (math.log(2) + math.log1p(math.exp(-2))) / 2, "generator loss for fake logits [0, 2]",
                atol=1e-5, rtol=1e-5, hint="-mean log sigmoid(s): the generator's images should be called real")
    # D confidently rejects one fake (logit -120, where sigmoid is exactly 0 in float32) and is fooled by the other
    # (logit 40): softplus(120) = 120 and softplus(-40) (about 0), mean 60.
    _gl = generator_loss(torch.tensor([[-120.0], [40.0]]))
    check_close(_gl, 60.0, "generator loss for fake logits [-120, 40] (float32)", atol=1e-4, rtol=1e-6,
                hint="logits this large must give a finite loss, but sigmoid(-120) is exactly 0 and log(0) = -inf; "
                     "compute it from the logits with F.binary_cross_entropy_with_logits, F.softplus or F.logsigmoid")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    _g = torch.Generator().manual_seed(43)
    # (a) Random float64 logits, shapes [B, 1] and [B].
    _f = 5.0 * torch.randn(11, 1, generator=_g, dtype=torch.float64)
    _want = float(np.logaddexp(0.0, -_f.numpy()).mean())
    _got = generator_loss(_f)
    check_scalar_tensor(_got, "generator loss for 11 logits")
    check_close(_got, _want, "generator loss for random logits", atol=1e-10, rtol=1e-10,
                hint="the non-saturating loss mean(softplus(-s)) = -mean log D(G(z)), not mean log(1 - D(G(z)))")
    check_close(generator_loss(_f[:, 0]), _want, "generator loss for logits of shape [B]", atol=1e-10, rtol=1e-10)
    # (b) Extreme float32 logits: D rejects the fakes with s = -100 (loss 100) or s = -1000 (loss 1000); D is fooled
    #     with s = +100 (loss about 0).
    for _s, _want in [(-100.0, 100.0), (-1000.0, 1000.0), (100.0, 0.0)]:
        _f = torch.full((4, 1), _s, requires_grad=True)
        _got = generator_loss(_f)
        check_scalar_tensor(_got, f"generator loss for logits {_s:g}", requires_grad=True)
        check_close(_got, _want, f"generator loss for fake logits {_s:g} (float32)", atol=1e-4, rtol=1e-6,
                    hint="compute it from the logits, e.g. F.binary_cross_entropy_with_logits(s, torch.ones_like(s))")
        _got.backward()
        check_true(bool(torch.isfinite(_f.grad).all()), f"gradient for logits {_s:g}",
                   f"expected finite, got {_f.grad}")
    # (c) Non-saturating: when D confidently rejects the fakes (s = -10), the gradient w.r.t. each logit is
    #     -sigmoid(10) / B, almost -1/B; the saturating loss would give -sigmoid(-10) / B, almost 0.
    _f = torch.full((4, 1), -10.0, dtype=torch.float64, requires_grad=True)
    generator_loss(_f).backward()
    check_allclose(_f.grad, torch.full((4, 1), -float(torch.sigmoid(torch.tensor(10.0, dtype=torch.float64))) / 4),
                   "gradient of the generator loss at s = -10", atol=1e-9,
                   hint="the saturating loss mean log(1 - D(G(z))) has a vanishing gradient here")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 12. Task: one alternating GAN step (3 + 1 points)
#
# One step updates both players once, the discriminator first:
#
# 1. **Fakes.** Draw `z` of shape `[B, z_dim]` from $\mathcal N(0, I)$, with $B$ the number of real images and on their device (`torch.randn(B, z_dim, device=real.device)`), and compute `fake = generator(z)`.
# 2. **D step.** $\mathcal L_D$ from `discriminator(real)` and `discriminator(fake.detach())`; `d_optimizer.zero_grad()`, `backward()`, `d_optimizer.step()`. The `detach()` cuts the graph back to the generator: this step must not compute gradients for $G$ (that would be wasted work, and those gradients would be added to $G$'s own in the next step unless they are cleared at exactly the right moment).
# 3. **G step.** $\mathcal L_G^{\text{NS}}$ from the *updated* discriminator's logits for the fakes, now **without** `detach()` (the gradient must flow through $D$ into $G$). You may reuse `fake` from step 1 or draw a fresh batch. `g_optimizer.zero_grad()`, `backward()`, `g_optimizer.step()`. This backward pass also fills the `.grad` fields of $D$'s parameters, but `d_optimizer` does not step now, so $D$ does not change; its `zero_grad()` in the next D step clears them.
#
# **Implement** `gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, z_dim)`:
#
# * **In:** the two networks and their optimisers; `real`, a batch of real images of shape `[B, 784]` in $[-1, 1]$; `z_dim`, the length of the noise vectors.
# * **Out:** the tuple `(d_loss, g_loss)` of the two losses as Python floats ($\mathcal L_D$ before the D update, $\mathcal L_G^{\text{NS}}$ of the G step before the G update).

# %% nbgrader={"grade": false, "grade_id": "gan_step__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
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
    ### BEGIN SOLUTION
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
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "gan_step__mechanics", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    torch.manual_seed(4321)
    _gen, _disc = make_generator().to(DEVICE), make_discriminator().to(DEVICE)
    _g_opt = torch.optim.Adam(_gen.parameters(), lr=GAN_LR, betas=GAN_BETAS)
    _d_opt = torch.optim.Adam(_disc.parameters(), lr=GAN_LR, betas=GAN_BETAS)
    _g_before = [p.detach().clone() for p in _gen.parameters()]
    _d_before = [p.detach().clone() for p in _disc.parameters()]
    _out = gan_train_step(_gen, _disc, _g_opt, _d_opt, gan_data[:32], Z_DIM)
    check_true(isinstance(_out, tuple) and len(_out) == 2, "gan_train_step(...)",
               f"expected a tuple (d_loss, g_loss), got {type(_out).__name__}")
    check_python_float(_out[0], "d_loss")
    check_python_float(_out[1], "g_loss")
    check_true(any(not torch.equal(a, b.detach()) for a, b in zip(_g_before, _gen.parameters())), "generator",
               "the generator's parameters did not change")
    check_true(any(not torch.equal(a, b.detach()) for a, b in zip(_d_before, _disc.parameters())), "discriminator",
               "the discriminator's parameters did not change")
    # The D step must not send gradients back into the generator: count the backward passes that reach G's last
    # linear layer during one more step. Only the G step's backward pass should.
    _hits = []
    _hook = _gen[-2].bias.register_hook(lambda _grad: _hits.append(1))
    try:
        gan_train_step(_gen, _disc, _g_opt, _d_opt, gan_data[32:48], Z_DIM)
    finally:
        _hook.remove()
    check_true(len(_hits) == 1, "backward passes that reached the generator in one step",
               f"expected 1 (the G step), got {len(_hits)}",
               hint="score the fakes with discriminator(fake.detach()) in the D step, so that its backward pass "
                    "stops at the fake images")
    # Gradients left in .grad by earlier work must not leak into the step: the same step (same networks, batch and
    # noise) once with junk in D's .grad, once with junk in G's, must end where it ends without.
    _batch = gan_data[48:64]

    def _sgd_step(_g_net, _d_net):
        gan_train_step(_g_net, _d_net, torch.optim.SGD(_g_net.parameters(), lr=0.05),
                       torch.optim.SGD(_d_net.parameters(), lr=0.1), _batch, Z_DIM)

    check_step_clears_stale_gradients(lambda: [make_discriminator().to(DEVICE)],
                                      lambda _ms: _sgd_step(make_generator().to(DEVICE), _ms[0]),
                                      "gan_train_step, discriminator (old gradients left in D's .grad)",
                                      hint="call d_optimizer.zero_grad() right before the discriminator loss's "
                                           "backward(): PyTorch adds new gradients to .grad")
    check_step_clears_stale_gradients(lambda: [make_generator().to(DEVICE)],
                                      lambda _ms: _sgd_step(_ms[0], make_discriminator().to(DEVICE)),
                                      "gan_train_step, generator (old gradients left in G's .grad)",
                                      hint="call g_optimizer.zero_grad() right before the generator loss's "
                                           "backward(): PyTorch adds new gradients to .grad")
    # One step with plain SGD, recomputed here from copies of the starting networks and the noise the generator got:
    # D moves by exactly one step on the D loss alone, then G by one step through the updated D.
    _gen_s, _disc_s = make_generator().to(DEVICE), make_discriminator().to(DEVICE)
    _gen_0, _disc_0 = copy.deepcopy(_gen_s), copy.deepcopy(_disc_s)
    _noise_seen = []
    _spy = _gen_s.register_forward_pre_hook(lambda _m, _inputs: _noise_seen.append(_inputs[0].detach().clone()))
    try:
        _sgd_step(_gen_s, _disc_s)
    finally:
        _spy.remove()
    discriminator_loss(_disc_0(_batch), _disc_0(_gen_0(_noise_seen[0]).detach())).backward()
    with torch.no_grad():
        for _p in _disc_0.parameters():
            _p -= 0.1 * _p.grad
    check_true(all(torch.allclose(_a, _b, atol=1e-5, rtol=1e-4)
                   for _a, _b in zip(_disc_s.parameters(), _disc_0.parameters())),
               "discriminator after one step (SGD, lr 0.1)",
               "it differs from one step on the discriminator loss alone: other gradients reached D's update",
               hint="the G step's backward pass also fills D's .grad: run d_optimizer.zero_grad(), the D loss's "
                    "backward() and d_optimizer.step() before the G step's backward(), and never step d_optimizer "
                    "after it")
    _disc_0.zero_grad()
    generator_loss(_disc_0(_gen_0(_noise_seen[-1]))).backward()
    with torch.no_grad():
        for _p in _gen_0.parameters():
            _p -= 0.05 * _p.grad
    check_true(all(torch.allclose(_a, _b, atol=1e-5, rtol=1e-4)
                   for _a, _b in zip(_gen_s.parameters(), _gen_0.parameters())),
               "generator after one step (SGD, lr 0.05)",
               "it differs from one step on the generator loss through the updated discriminator",
               hint="update D first; then compute the generator loss with the updated discriminator's logits "
                    "for the fakes (without detach) and step g_optimizer once")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    class _Spy(nn.Module):
        """Wraps a network and records every call: a copy of the input, whether it carries a graph, and the
        network's parameters at that moment."""

        def __init__(self, net):
            super().__init__()
            self.net = net
            self.calls = []

        def forward(self, x):
            self.calls.append(dict(x=x.detach().clone(), graph=x.requires_grad,
                                   params=[p.detach().clone() for p in self.net.parameters()]))
            return self.net(x)


    def _same(params_a, params_b):
        return all(torch.allclose(a, b, atol=1e-7, rtol=0) for a, b in zip(params_a, params_b))


    _gg = torch.Generator().manual_seed(47)
    _G_net = nn.Sequential(nn.Linear(3, 5), nn.Tanh())
    _D_net = nn.Sequential(nn.Linear(5, 4), nn.LeakyReLU(0.2), nn.Linear(4, 1))
    with torch.no_grad():
        for _p in list(_G_net.parameters()) + list(_D_net.parameters()):
            _p.copy_(0.8 * torch.randn(_p.shape, generator=_gg))
    _real = torch.rand(6, 5, generator=_gg) * 2 - 1
    _G0, _D0 = copy.deepcopy(_G_net), copy.deepcopy(_D_net)
    _G_spy, _D_spy = _Spy(_G_net), _Spy(_D_net)
    for _p in list(_G_net.parameters()) + list(_D_net.parameters()):   # stale gradients: must not leak into the step
        _p.grad = torch.full_like(_p, 30.0)
    _LR_G, _LR_D = 0.05, 0.2
    _ret = gan_train_step(_G_spy, _D_spy, torch.optim.SGD(_G_net.parameters(), lr=_LR_G),
                          torch.optim.SGD(_D_net.parameters(), lr=_LR_D), _real, 3)
    check_true(isinstance(_ret, tuple) and len(_ret) == 2, "gan_train_step(...)", "expected a tuple (d_loss, g_loss)")
    check_python_float(_ret[0], "d_loss")
    check_python_float(_ret[1], "g_loss")

    # The noise: one or two generator calls, each on z of shape [6, 3] without a graph, with G's starting parameters.
    check_true(len(_G_spy.calls) in (1, 2), "calls of the generator",
               f"expected one call (the same fakes for both steps) or two (fresh fakes for the G step), "
               f"got {len(_G_spy.calls)}")
    for _c in _G_spy.calls:
        check_shape(_c["x"], (6, 3), "z passed to the generator")
        check_true(_same(_c["params"], _G0.parameters()), "generator during the step",
                   "the generator changed before the discriminator step finished; update D first, then G")
    _z_d, _z_g = _G_spy.calls[0]["x"], _G_spy.calls[-1]["x"]

    # The D step must not build a graph back to G: every call of D with D's starting parameters must get inputs
    # without a graph (the real images and detached fakes).
    for _c in _D_spy.calls:
        if _same(_c["params"], _D0.parameters()):
            check_true(not _c["graph"], "input of the discriminator in the D step",
                       "the fake images carry a graph back to the generator",
                       hint="use discriminator(fake.detach()) in the discriminator step")

    # Expected D after its step: D0 - lr_D * grad of L_D(D0; real, G0(z_d)).
    _Dr = copy.deepcopy(_D0)
    _fake_d = _G0(_z_d).detach()
    _Ld = F.softplus(-_Dr(_real)).mean() + F.softplus(_Dr(_fake_d)).mean()
    _Ld.backward()
    _D1 = [(_p - _LR_D * _p.grad).detach() for _p in _Dr.parameters()]
    check_close(_ret[0], _Ld.item(), "returned d_loss", atol=1e-5, rtol=1e-5,
                hint="the discriminator loss on this batch before D's update")
    for (_name, _p), _want in zip(_D_net.named_parameters(), _D1):
        check_allclose(_p, _want, f"discriminator parameter {_name} after the step", atol=1e-5, rtol=1e-5,
                       hint="exactly one update of D, on real images and detached fakes, with zeroed gradients; "
                            "the G step must not update D")
    # Expected G after its step: G0 - lr_G * grad of L_G(D1; G0(z_g)), through the updated discriminator.
    _Gr = copy.deepcopy(_G0)
    _D1_net = copy.deepcopy(_D0)
    with torch.no_grad():
        for _p, _v in zip(_D1_net.parameters(), _D1):
            _p.copy_(_v)
    _Lg = F.softplus(-_D1_net(_Gr(_z_g))).mean()
    _Lg.backward()
    check_close(_ret[1], _Lg.item(), "returned g_loss", atol=1e-5, rtol=1e-5,
                hint="the non-saturating generator loss, computed with the updated discriminator")
    for (_name, _p), _want in zip(_G_net.named_parameters(), [(_q - _LR_G * _q.grad) for _q in _Gr.parameters()]):
        check_allclose(_p, _want, f"generator parameter {_name} after the step", atol=1e-5, rtol=1e-5,
                       hint="zero G's gradients right before its backward pass; D's loss must not reach G")

    # The noise is standard normal: one big batch (with learning rates 0 nothing changes).
    _G_spy.calls.clear()
    gan_train_step(_G_spy, _D_spy, torch.optim.SGD(_G_net.parameters(), lr=0.0),
                   torch.optim.SGD(_D_net.parameters(), lr=0.0), torch.zeros(4000, 5), 3)
    _zz = _G_spy.calls[0]["x"]
    check_shape(_zz, (4000, 3), "z for a batch of 4000 real images")
    check_true(abs(float(_zz.mean())) < 0.05 and abs(float(_zz.std()) - 1.0) < 0.05, "noise z",
               f"expected z ~ N(0, I), got mean {float(_zz.mean()):.3f} and std {float(_zz.std()):.3f}",
               hint="torch.randn(B, z_dim, device=real.device)")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 13. Training the GAN
#
# Each step of the loop below calls your `gan_train_step` on a mini-batch of 64 real images. Every 5 steps we also record the mean of $D(x) = \operatorname{sigmoid}(s(x))$ on the real batch and on a fresh batch of fakes, and after every epoch we generate images from the same 10 fixed noise vectors, so that we can watch the generator's output develop. A copy of the untrained generator, `generator_start`, is kept for a comparison in the test below.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "gan_train", "locked": true, "schema_version": 3, "solution": false, "task": false}
LOG_EVERY = 5
torch.manual_seed(SEED)
generator = make_generator().to(DEVICE)
discriminator = make_discriminator().to(DEVICE)
generator_start = copy.deepcopy(generator)
g_optimizer = torch.optim.Adam(generator.parameters(), lr=GAN_LR, betas=GAN_BETAS)
d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=GAN_LR, betas=GAN_BETAS)
fixed_z = torch.randn(10, Z_DIM, device=DEVICE)
gan_history = {"d_loss": [], "g_loss": [], "logged_step": [], "d_real": [], "d_fake": []}
epoch_samples = []                     # one [10, 784] tensor (on the CPU) per epoch
t_start = time.perf_counter()
for epoch in range(CONFIG["gan_epochs"]):
    order = torch.randperm(N_TRAIN, device=DEVICE)
    progress = tqdm(range(0, N_TRAIN - GAN_BATCH + 1, GAN_BATCH), leave=False,
                    desc=f"GAN epoch {epoch + 1}/{CONFIG['gan_epochs']}")
    for start in progress:
        real = gan_data[order[start:start + GAN_BATCH]]
        d_loss, g_loss = gan_train_step(generator, discriminator, g_optimizer, d_optimizer, real, Z_DIM)
        gan_history["d_loss"].append(d_loss)
        gan_history["g_loss"].append(g_loss)
        if len(gan_history["d_loss"]) % LOG_EVERY == 0:
            with torch.no_grad():
                fake = generator(torch.randn(GAN_BATCH, Z_DIM, device=DEVICE))
                gan_history["logged_step"].append(len(gan_history["d_loss"]))
                gan_history["d_real"].append(torch.sigmoid(discriminator(real)).mean().item())
                gan_history["d_fake"].append(torch.sigmoid(discriminator(fake)).mean().item())
        progress.set_postfix(d=f"{d_loss:.2f}", g=f"{g_loss:.2f}", refresh=False)
    with torch.no_grad():
        epoch_samples.append(generator(fixed_z).cpu())
    print(f"epoch {epoch + 1}: mean D loss {np.mean(gan_history['d_loss'][-len(progress):]):.3f}, "
          f"mean G loss {np.mean(gan_history['g_loss'][-len(progress):]):.3f}")
print(f"{len(gan_history['d_loss'])} steps in {time.perf_counter() - t_start:.1f} s")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "gan_step__trend", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _steps = CONFIG["gan_epochs"] * (N_TRAIN // GAN_BATCH)
    check_true(len(gan_history["d_loss"]) == _steps and len(gan_history["g_loss"]) == _steps, "gan_history",
               f"expected {_steps} losses of each kind, got {len(gan_history['d_loss'])} and "
               f"{len(gan_history['g_loss'])}")
    check_true(all(math.isfinite(_v) for _v in gan_history["d_loss"] + gan_history["g_loss"]), "gan_history",
               "expected finite losses")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    def _mmd2_reference(x, y, sigma):
        """Unbiased squared MMD with a Gaussian kernel, in float64 (the test's own implementation)."""
        x, y = x.double(), y.double()
        def k(a, b):
            squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T   # |a_i - b_j|^2
            return torch.exp(-squared.clamp_min(0.0) / (2 * sigma ** 2))
        n, m = len(x), len(y)
        kxx, kyy = k(x, x), k(y, y)
        return float((kxx.sum() - kxx.diagonal().sum()) / (n * (n - 1))
                     + (kyy.sum() - kyy.diagonal().sum()) / (m * (m - 1))
                     - 2 * k(x, y).mean())

    # How far did the generator's samples move towards the data? Squared MMD (bandwidth 20, about the median distance
    # between two MNIST images scaled to [-1, 1]) to 400 test images, before and after training. Measured at the
    # grading size, seeds 0-4: the ratio after/before is 0.46-0.56; a generator that does not learn stays near 1.
    _gt = torch.Generator().manual_seed(53)
    _ref_pick = torch.randperm(len(test_images), generator=_gt)[:400].to(DEVICE)
    _ref_imgs = (test_images[_ref_pick].reshape(400, -1) * 2 - 1).cpu()
    _zt = torch.randn(400, Z_DIM, generator=_gt).to(DEVICE)
    with torch.no_grad():
        _before = _mmd2_reference(generator_start(_zt).cpu(), _ref_imgs, 20.0)
        _after = _mmd2_reference(generator(_zt).cpu(), _ref_imgs, 20.0)
    check_true(_after < 0.75 * _before, "MMD^2 between generated and real images",
               f"expected training to shrink it below 0.75 x its start value, got {_after:.4f} vs {_before:.4f}",
               hint="check the order and the detach/zero_grad bookkeeping in gan_train_step, and both losses")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### Watching the game
#
# The left plot shows both losses per step. Unlike the VAE's loss they do not go steadily down: each player's loss depends on the other player, who keeps changing. The right plot shows the mean of $D$ on real and on generated images. Early on, $D$ learns to separate them ($D(\text{real})$ goes up, $D(\text{fake})$ down), and the generator then has to catch up. At the ideal equilibrium both would be $\tfrac12$ and $\mathcal L_D = 2 \log 2 \approx 1.39$. With networks of this size the discriminator usually stays ahead, with $\mathcal L_D$ below $2\log 2$ and the two curves apart, while the samples still improve; a discriminator that wins completely ($D(\text{fake}) \approx 0$ for a long time) would stop teaching the generator.

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 4))
for key, label in [("d_loss", "discriminator loss $\\mathcal{L}_D$"), ("g_loss", "generator loss $\\mathcal{L}_G$")]:
    values = np.asarray(gan_history[key])
    window = max(1, len(values) // 30)
    axes[0].plot(np.arange(window, len(values) + 1), np.convolve(values, np.ones(window) / window, mode="valid"),
                 label=label)
axes[0].axhline(2 * math.log(2), color="grey", linestyle=":", label="$2 \\log 2$")
axes[0].set_xlabel("training step")
axes[0].set_ylabel("loss (moving average)")
axes[0].set_title("GAN losses")
axes[0].legend()
for key, label in [("d_real", "mean $D(x)$, real"), ("d_fake", "mean $D(G(z))$, fake")]:
    values = np.asarray(gan_history[key])
    window = max(1, len(values) // 30)
    axes[1].plot(gan_history["logged_step"][window - 1:], np.convolve(values, np.ones(window) / window, mode="valid"),
                 label=label)
axes[1].axhline(0.5, color="grey", linestyle=":")
axes[1].set_ylim(0, 1)
axes[1].set_xlabel("training step")
axes[1].set_ylabel("discriminator output (moving average)")
axes[1].set_title("The discriminator's view")
axes[1].legend()
plt.tight_layout()
plt.show()

shown = sorted({0, 1, 3, 9, 19, len(epoch_samples) - 1} & set(range(len(epoch_samples))))
fig, ax = plt.subplots(figsize=(8, 1 + 0.8 * len(shown)))
show_images(torch.cat([epoch_samples[e] for e in shown]), nrow=10, ax=ax, value_range=(-1, 1),
            title="The same 10 noise vectors after epochs " + ", ".join(str(e + 1) for e in shown))
plt.show()

with torch.no_grad():
    gan_grid = generator(torch.randn(48, Z_DIM, device=DEVICE))
fig, ax = plt.subplots(figsize=(7, 3.5))
show_images(gan_grid, nrow=12, ax=ax, value_range=(-1, 1), title="GAN: 48 samples G(z), z ~ N(0, I)")
plt.show()


# %% [markdown]
# # Part III: comparing the two models
#
# The VAE reports a negative ELBO, the GAN two losses of a game; neither number says how good the *samples* are, and they cannot be compared with each other. We therefore compare the two models only through their samples, with two tools that treat both the same way.
#
# ## 14. The maximum mean discrepancy
#
# Take a kernel $k(a, b)$ that measures how similar two images are. We use the Gaussian kernel
#
# $$
# k(a, b) = \exp\!\left(-\frac{\lVert a - b\rVert^2}{2\sigma^2}\right),
# $$
#
# which is 1 for identical images and decays with their Euclidean distance, on a length scale $\sigma$ (the **bandwidth**). The squared **maximum mean discrepancy** between two distributions $P$ and $Q$ is
#
# $$
# \mathrm{MMD}^2(P, Q) = \mathbb{E}\,k(x, x') + \mathbb{E}\,k(y, y') - 2\,\mathbb{E}\,k(x, y),
# \qquad x, x' \sim P,\ \ y, y' \sim Q \text{ all independent}.
# $$
#
# In words: images from the same distribution should be as similar to each other as to images of the other distribution. For the Gaussian kernel $\mathrm{MMD}(P, Q) = 0$ holds exactly when $P = Q$, so it is a proper distance between distributions, and unlike the KL divergence it needs nothing but samples. The **cross term** $-2\,\mathbb{E}\,k(x, y)$ is what compares the two distributions; the other two terms only describe how spread out each one is.
#
# **An unbiased estimator.** Given samples $x_1, \dots, x_n \sim P$ and $y_1, \dots, y_m \sim Q$, replace each expectation by an average over **pairs of different samples**:
#
# $$
# \widehat{\mathrm{MMD}}{}^2_u = \frac{1}{n(n-1)} \sum_{i \ne j} k(x_i, x_j) + \frac{1}{m(m-1)} \sum_{i \ne j} k(y_i, y_j) - \frac{2}{nm} \sum_{i=1}^{n} \sum_{j=1}^{m} k(x_i, y_j).
# $$
#
# The diagonal terms $k(x_i, x_i) = 1$ are left out because $x_i$ is not independent of itself: keeping them (averaging over the whole $n \times n$ matrix, the *V-statistic*) adds about $(1 - \mathbb{E}\,k(x, x'))/n + (1 - \mathbb{E}\,k(y, y'))/m$ to every estimate, so two samples of the *same* distribution look different, the more so the smaller the samples. The U-statistic above has expectation exactly $\mathrm{MMD}^2$; for $P = Q$ it fluctuates around 0 and can come out slightly **negative**. That is not a bug, and it is why we report $\mathrm{MMD}^2$ rather than its square root.
#
# The lecture code computes a related score, but averages over the whole matrices (the biased version), rescales the distances by the data's mean squared distance inside the function, returns a square root of $\max(\cdot, 0)$, and moves everything to the GPU with `.cuda()` and `resize_`, so it cannot run on a CPU. Ours takes the bandwidth as an argument: we choose it once, with the **median heuristic** ($\sigma$ = the median distance between real images), and then use the same kernel for every comparison, so that the numbers are comparable.
#
# ### A worked example
#
# One-dimensional points $x = \{0, 1\}$, $y = \{3, 4\}$ and $\sigma = 1$, so $k(a, b) = e^{-(a - b)^2/2}$. The only pair within $x$ is $(0, 1)$ at distance 1, and the same holds within $y$; the four cross pairs are at distances 3, 4, 2 and 3:
#
# $$
# \widehat{\mathrm{MMD}}{}^2_u = e^{-1/2} + e^{-1/2} - \frac{2}{4}\left(2e^{-9/2} + e^{-8} + e^{-2}\right) \approx 1.21306 - 0.07895 = 1.13411 .
# $$
#
# ## 15. Task: the squared MMD (2 + 1 points)
#
# **Implement** `mmd2(x, y, sigma)`:
#
# * **In:** `x` of shape `[n, ...]` and `y` of shape `[m, ...]` on the same device, with $n, m \ge 2$ (images are flattened to vectors of length $D$ first, e.g. `[n, 1, 28, 28]` to `[n, 784]`); the bandwidth `sigma`, a positive float.
# * **Out:** a 0-dim tensor, the unbiased estimate $\widehat{\mathrm{MMD}}{}^2_u$ above, on the inputs' device.
# * **How:** squared distances between all pairs, for example `torch.cdist(a, b) ** 2` (shape `[n, m]`); the kernel matrices $K_{xx}$, $K_{yy}$, $K_{xy}$; a sum without the diagonal is `K.sum() - K.diagonal().sum()`. No loops over samples, no `.cuda()`.

# %% nbgrader={"grade": false, "grade_id": "mmd__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mmd2(x, y, sigma):
    """Unbiased estimate of the squared MMD between samples x and y with the kernel exp(-|a - b|^2 / (2 sigma^2)).

    Args:
        x: samples of P, shape [n, ...] (flattened to [n, D]), n >= 2.
        y: samples of Q, shape [m, ...] (flattened to [m, D]), m >= 2, same device as x.
        sigma: kernel bandwidth, a positive float.

    Returns:
        0-dim tensor: mean of k(x_i, x_j) over i != j + mean of k(y_i, y_j) over i != j - 2 * mean of k(x_i, y_j).
    """
    ### BEGIN SOLUTION
    x = x.reshape(x.shape[0], -1)
    y = y.reshape(y.shape[0], -1)
    n, m = x.shape[0], y.shape[0]

    def kernel(a, b):
        return torch.exp(-torch.cdist(a, b) ** 2 / (2 * sigma ** 2))

    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    within_x = (k_xx.sum() - k_xx.diagonal().sum()) / (n * (n - 1))
    within_y = (k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
    return within_x + within_y - 2 * k_xy.mean()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "mmd__values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _x = torch.tensor([[0.0], [1.0]])
    _y = torch.tensor([[3.0], [4.0]])
    _v = mmd2(_x, _y, 1.0)
    check_scalar_tensor(_v, "mmd2(x, y, 1.0)")
    _want = 2 * math.exp(-0.5) - 0.5 * (2 * math.exp(-4.5) + math.exp(-8) + math.exp(-2))   # the worked example
    check_close(_v, _want, "MMD^2 of {0, 1} and {3, 4} with sigma = 1", atol=1e-5, rtol=1e-5,
                hint="leave out the diagonal of the within-sample sums; keep the cross term -2 mean k(x_i, y_j)")
    # Images are flattened first: a batch of 4 "images" of shape (1, 2, 3) against 5 others must give the same value
    # as the same points given as vectors of length 6.
    _gi = torch.Generator().manual_seed(5)
    _ia, _ib = torch.rand(4, 1, 2, 3, generator=_gi), torch.rand(5, 1, 2, 3, generator=_gi)
    _flatten_hint = "flatten each sample to a vector first: x.reshape(x.shape[0], -1), and the same for y"
    try:
        _v_img = mmd2(_ia, _ib, 1.0)
    except RuntimeError as _error:
        check_true(False, "mmd2 for inputs of shape (4, 1, 2, 3) and (5, 1, 2, 3)", f"it raised: {_error}",
                   hint=_flatten_hint)
    check_close(_v_img, float(mmd2(_ia.reshape(4, -1), _ib.reshape(5, -1), 1.0)),
                "mmd2 of images of shape (1, 2, 3) against the same images as vectors of length 6",
                atol=1e-5, rtol=1e-4, hint=_flatten_hint)
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    def _mmd2_numpy(a, b, sigma):
        """Reference: explicit sums over index pairs in float64."""
        a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
        b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
        def k(u, v):
            return np.exp(-((u[:, None, :] - v[None, :, :]) ** 2).sum(-1) / (2 * sigma ** 2))
        n, m = len(a), len(b)
        kaa, kbb = k(a, a), k(b, b)
        off_a = (kaa.sum() - np.trace(kaa)) / (n * (n - 1))
        off_b = (kbb.sum() - np.trace(kbb)) / (m * (m - 1))
        return float(off_a + off_b - 2 * k(a, b).mean())

    _g = torch.Generator().manual_seed(61)
    # (a) Random float64 inputs of different sizes and bandwidths.
    for _n, _m, _d, _sigma in [(7, 5, 3, 1.0), (4, 9, 6, 2.5), (12, 12, 2, 0.7)]:
        _a = torch.randn(_n, _d, generator=_g, dtype=torch.float64)
        _b = torch.randn(_m, _d, generator=_g, dtype=torch.float64) + 0.5
        _got = mmd2(_a, _b, _sigma)
        check_scalar_tensor(_got, f"mmd2 for n = {_n}, m = {_m}")
        check_close(_got, _mmd2_numpy(_a.numpy(), _b.numpy(), _sigma),
                    f"MMD^2 for n = {_n}, m = {_m}, sigma = {_sigma}",
                    atol=1e-9, rtol=1e-7, hint="k(a, b) = exp(-|a - b|^2 / (2 sigma^2)); means over i != j within a "
                                               "sample; the cross term counts twice")
    # (b) Images of shape [n, 1, 4, 4] are flattened; float32 inputs.
    _ia = torch.rand(6, 1, 4, 4, generator=_g)
    _ib = torch.rand(8, 1, 4, 4, generator=_g)
    check_close(mmd2(_ia, _ib, 1.5), _mmd2_numpy(_ia.numpy(), _ib.numpy(), 1.5), "MMD^2 of images of shape (1, 4, 4)",
                atol=1e-5, rtol=1e-4, hint="flatten each image to a vector first: x.reshape(x.shape[0], -1)")
    # (c) The estimator is unbiased: identical samples do not give 0, but two points each, x = y = {0, 1}:
    #     e^{-1/2} + e^{-1/2} - 2 (1 + 1 + 2 e^{-1/2}) / 4 = e^{-1/2} - 1 (negative!).
    _p = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    check_close(mmd2(_p, _p.clone(), 1.0), math.exp(-0.5) - 1.0, "MMD^2 of {0, 1} with itself (unbiased: negative)",
                atol=1e-9, rtol=1e-9, hint="exclude the diagonal k(x_i, x_i) = 1 from the within-sample means")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "mmd__properties", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _gp = torch.Generator().manual_seed(67)
    _idx = torch.randperm(len(mnist_images), generator=_gp)[:400].to(DEVICE)
    _half_a, _half_b = mnist_images[_idx[:200]], mnist_images[_idx[200:]]
    _noise = torch.rand(200, 1, 28, 28, generator=_gp).to(DEVICE)
    # Images of shape [n, 1, 28, 28] are flattened first: the same value as for the flattened images.
    _flat_value = float(mmd2(_half_a[:50].reshape(50, -1), _half_b[:50].reshape(50, -1), 10.0))
    try:
        _image_value = mmd2(_half_a[:50], _half_b[:50], 10.0)
    except RuntimeError as _error:
        check_true(False, "mmd2 of two sets of 50 MNIST images of shape (1, 28, 28)", f"it raised: {_error}",
                   hint="flatten each image to a vector first: x.reshape(x.shape[0], -1)")
    check_close(_image_value, _flat_value, "mmd2 of 50 + 50 MNIST images, as images against as flattened vectors",
                atol=1e-5, rtol=1e-4, hint="flatten each image to a vector first: x.reshape(x.shape[0], -1)")
    _halves = mmd2(_half_a, _half_b, 10.0)
    check_scalar_tensor(_halves, "mmd2 of two sets of 200 MNIST images")
    print(f"two halves of real data: {_halves.item():.5f}; "
          f"real against uniform noise: {mmd2(_half_a, _noise, 10.0).item():.4f}")
    # A sample against an exact copy of itself: the unbiased estimate is -2 (1 - mean_{i != j} k(x_i, x_j)) / n,
    # which lies in [-2/n, 0) = [-0.01, 0) for any kernel with values in (0, 1], here about -0.004 (negative!);
    # the biased V-statistic, which keeps the diagonal, gives exactly 0.
    _self = float(mmd2(_half_a, _half_a.clone(), 10.0))
    check_true(-0.01 - 1e-6 < _self < -1e-5, "mmd2 of 200 MNIST images against a copy of themselves",
               f"expected a small negative number between -0.01 and 0 (about -0.004), got {_self:.5f}",
               hint="the within-sample means run over pairs i != j only: leave out the diagonal k(x_i, x_i) = 1")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # Two halves of 200 random MNIST training images each (a fixed split), sigma = 10 (the median heuristic gives
    # about 10.2). For this split the unbiased estimate is -0.0001 and the biased V-statistic +0.004; over 20 other
    # random splits the unbiased estimate had mean 0.0001 and standard deviation 0.0009, the biased one was always
    # above 0.0028. Without the cross term the value is about 1.2. Against uniform noise: about 0.53.
    _halves = float(mmd2(_half_a, _half_b, 10.0))
    check_true(abs(_halves) < 0.0015, "MMD^2 between two halves of real MNIST images",
               f"expected about 0 (|value| < 0.0015), got {_halves:.5f}",
               hint="the unbiased estimator excludes the diagonal terms; the cross term must be subtracted twice")
    check_true(float(mmd2(_half_a, _noise, 10.0)) > 0.3, "MMD^2 between real images and uniform noise",
               f"expected a large value (> 0.3), got {float(mmd2(_half_a, _noise, 10.0)):.4f}")
    # Symmetric in its arguments, also for different sample sizes.
    check_close(mmd2(_half_b[:150], _half_a, 10.0), float(mmd2(_half_a, _half_b[:150], 10.0)),
                "mmd2(y, x) vs mmd2(x, y)",
                atol=1e-5, rtol=1e-4)
    check_true(mmd2(_half_a, _half_b, 10.0).device == _half_a.device, "device of mmd2's result",
               "expected the result on the inputs' device")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 16. MMD of the two models
#
# We draw 1 000 samples from each model, map them to $[0, 1]$ (the VAE's pixel probabilities, the GAN's $(G(z) + 1)/2$), and compare each set with 1 000 test images, which neither model has seen. Two reference rows frame the scale: another 1 000 test images (the best any model can do, about 0) and uniform noise (a model that learned nothing). The bandwidth is the median distance between test images.

# %%
N_EVAL = 1000
with torch.no_grad():
    real_eval = test_images[:N_EVAL]
    sample_sets = {
        "other test images": test_images[N_EVAL:2 * N_EVAL],
        "VAE samples": torch.sigmoid(vae.decode(torch.randn(N_EVAL, LATENT_DIM, device=DEVICE))),
        "GAN samples": ((generator(torch.randn(N_EVAL, Z_DIM, device=DEVICE)) + 1) / 2).reshape(-1, 1, 28, 28),
        "uniform noise": torch.rand(N_EVAL, 1, 28, 28, device=DEVICE),
    }
    flat = real_eval.reshape(N_EVAL, -1)
    SIGMA = torch.cdist(flat[:N_EVAL // 2], flat[N_EVAL // 2:]).median().item()   # the median heuristic
    mmd_values = {name: mmd2(real_eval, images, SIGMA).item() for name, images in sample_sets.items()}
print(f"bandwidth sigma = {SIGMA:.2f}")
for name, value in mmd_values.items():
    print(f"MMD^2(test images, {name:<17}) = {value:8.5f}")

# %% [markdown]
# Where does each model lie on the scale between the two reference rows? The next cell measures it as a fraction: 0 % for the row of other test images, 100 % for uniform noise.

# %%
mmd_best, mmd_noise = mmd_values["other test images"], mmd_values["uniform noise"]
for name in ("VAE samples", "GAN samples"):
    position = (mmd_values[name] - mmd_best) / (mmd_noise - mmd_best)
    verdict = ("much closer to the test images than to noise" if position < 0.25 else
               "close to the noise row" if position > 0.75 else "well between the two reference rows")
    print(f"{name}: MMD^2 = {mmd_values[name]:.4f}, {position:.0%} of the way from the other test images "
          f"({mmd_best:.4f}) to uniform noise ({mmd_noise:.4f}): {verdict}.")

# %% [markdown]
# ### Where the two sets differ: the witness function
#
# The MMD is one number, but it comes from a function that we can look at. The **witness function** of two samples is
#
# $$
# w(x) = \frac1n \sum_{i=1}^{n} k(x, x_i) - \frac1m \sum_{j=1}^{m} k(x, y_j),
# $$
#
# the average similarity of an image $x$ to the real images $x_i$ minus its average similarity to the generated images $y_j$. In code it is one line with the kernel of `mmd2`. It is high where real images are denser than generated ones and low where the model puts more samples than the data have, and the MMD is the difference of its means over the two distributions: $\mathbb{E}_{x \sim P}\, w(x) - \mathbb{E}_{y \sim Q}\, w(y) = \mathrm{MMD}^2(P, Q)$ (in expectation, with $w$ built from the samples). We build $w$ from the 1 000 test images of the table and the first 500 samples of each model, and evaluate it on images it was not built from: 500 other test images and the other 500 samples. This view is not graded.

# %%
def witness(points, real, fake, sigma=SIGMA):
    """w(x) = mean_i k(x, real_i) - mean_j k(x, fake_j) for each of the points, with mmd2's Gaussian kernel."""
    def kernel(a, b):
        return torch.exp(-torch.cdist(a.reshape(len(a), -1), b.reshape(len(b), -1)) ** 2 / (2 * sigma ** 2))
    return kernel(points, real).mean(1) - kernel(points, fake).mean(1)


held_out_real = sample_sets["other test images"][:500]
fig, axes = plt.subplots(2, 3, figsize=(15, 7.5), gridspec_kw={"width_ratios": [1.4, 1, 1]})
for row, name in zip(axes, ("VAE samples", "GAN samples")):
    built_from, held_out_fake = sample_sets[name][:500], sample_sets[name][500:]
    with torch.no_grad():
        w_real = witness(held_out_real, real_eval, built_from)
        w_fake = witness(held_out_fake, real_eval, built_from)
    bins = np.linspace(min(w_real.min().item(), w_fake.min().item()), max(w_real.max().item(), w_fake.max().item()), 40)
    row[0].hist(w_real.cpu().numpy(), bins=bins, alpha=0.6, label="held-out test images")
    row[0].hist(w_fake.cpu().numpy(), bins=bins, alpha=0.6, label=f"held-out {name}")
    row[0].set_xlabel("witness $w(x)$ (higher: more like the data, lower: more like the model)")
    row[0].set_ylabel("number of images")
    row[0].set_title(f"{name[:3]}: difference of the means {w_real.mean().item() - w_fake.mean().item():.4f} "
                     f"(MMD$^2$ in the table {mmd_values[name]:.4f})")
    row[0].legend(fontsize=9)
    show_images(held_out_fake[w_fake.argsort()[:8]], nrow=4, ax=row[1],
                title=f"{name[:3]} samples with the lowest $w$\n(least like the data)")
    show_images(held_out_real[w_real.argsort(descending=True)[:8]], nrow=4, ax=row[2],
                title=f"test images with the highest $w$\n(least covered by the {name[:3]})")
plt.tight_layout()
plt.show()

# %% [markdown]
# Read the histograms as a test that the kernel runs on each image: the further apart the two histograms are, the larger the MMD (the difference of their means, printed in each title, is close to the MMD of the table), and where they overlap the kernel cannot tell data from samples. Compare the two histograms with each other, not with 0: with a kernel as wide as ours, blurry samples are fairly similar to almost every image, so the witness can be negative even on all the real images. The image panels say *why* the MMD is large: the samples with the lowest witness show what the model produces that the data never contain (blur, speckle, noise), and the test images with the highest witness show kinds of digits that the model produces too rarely, which is where missing modes would show up.

# %% [markdown]
# ## 17. A digit classifier as a judge
#
# MMD compares whole sets of images, but it does not say *what* is wrong. A second, more interpretable view: train a small classifier on real digits (an MLP from `dgmcourse.student.mnist_eval`, a few seconds on a CPU) and ask it about the generated images.
#
# * **Confident fraction:** the share of samples whose largest class probability exceeds 0.9. A recognisable digit should be classified confidently; a blob between two digits should not.
# * **Class spread:** the entropy of the histogram of predicted classes divided by its largest possible value $\log 10$. It is 1 when the samples spread evenly over the ten digits and 0 when they are all the same digit. A GAN that has **dropped modes** (never produces some digits) shows up here even when each of its samples looks fine.
#
# These two numbers are a cheap cousin of the Inception score. They are no proof of quality: a classifier can be confident about an image that no human would call a digit, and a model that simply memorised training images would score perfectly on both.

# %%
torch.manual_seed(SEED)
t_start = time.perf_counter()
n_classifier = CONFIG["classifier_images"]
classifier = train_digit_classifier(mnist_images[:n_classifier], mnist_labels[:n_classifier],
                                    epochs=CONFIG["classifier_epochs"])
print(f"classifier trained on {n_classifier} images in {time.perf_counter() - t_start:.1f} s; "
      f"test accuracy {accuracy(classifier, test_images, test_labels):.3f}")

statistics = {name: sample_statistics(predict_proba(classifier, images)) for name, images in sample_sets.items()}
print()
print(f"{'':<19}{'MMD^2 to test':>15}{'confident':>11}{'class spread':>14}")
for name in sample_sets:
    print(f"{name:<19}{mmd_values[name]:>15.5f}{statistics[name]['confident']:>11.3f}"
          f"{statistics[name]['spread']:>14.3f}")
print()
print(statistics_table({name: statistics[name] for name in ("VAE samples", "GAN samples")}))

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 4), gridspec_kw={"width_ratios": [1.3, 1, 1]})
bar_compare(np.arange(10), {name: np.asarray(statistics[name]["histogram"]) / N_EVAL
                            for name in ("other test images", "VAE samples", "GAN samples")},
            ax=axes[0], xlabel="predicted digit", ylabel="fraction of samples", title="Predicted classes")
for ax, name in zip(axes[1:], ("VAE samples", "GAN samples")):
    show_images(sample_sets[name][:36], nrow=6, ax=ax,
                title=f"{name}: confident {statistics[name]['confident']:.2f}, spread {statistics[name]['spread']:.2f}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Copies of training images?
#
# A model that had memorised its training images would look perfect by both measures. A first check is to put generated images next to their **nearest training images**, in Euclidean distance between the 784 pixel values, searched among all the images that the models were trained on. To know what a small distance is, we also measure it for test images, which are new digits and no copies: a model that copies would produce samples much *closer* to some training image than test images usually are.

# %%
def nearest_training_images(images, chunk=10000):
    """Distance to, and index of, the nearest image in train_images for each image (pixels in [0, 1])."""
    flat = images.reshape(len(images), -1)
    best = torch.full((len(images),), float("inf"), device=flat.device)
    best_index = torch.zeros(len(images), dtype=torch.long, device=flat.device)
    for start in range(0, N_TRAIN, chunk):   # chunks keep the distance matrix small at the full size
        distance, index = torch.cdist(flat, train_images[start:start + chunk].reshape(-1, 28 * 28)).min(1)
        closer = distance < best
        best = torch.where(closer, distance, best)
        best_index = torch.where(closer, index + start, best_index)
    return best, best_index


with torch.no_grad():
    neighbours = {name: nearest_training_images(images[:200]) for name, images in
                  [("test images", real_eval), ("VAE samples", sample_sets["VAE samples"]),
                   ("GAN samples", sample_sets["GAN samples"])]}
for name, (distance, _) in neighbours.items():
    print(f"{name:<12}: distance to the nearest of {N_TRAIN} training images, median {distance.median().item():.2f}, "
          f"smallest {distance.min().item():.2f} (200 images)")

fig, axes = plt.subplots(2, 1, figsize=(9, 6.2))
for ax, name in zip(axes, ("VAE samples", "GAN samples")):
    distance, index = neighbours[name]
    show_images(torch.cat([sample_sets[name][:8], train_images[index[:8]]]), nrow=8, ax=ax,
                title=f"{name} (top) and their nearest training images (bottom)")
    for column in range(8):                  # each image of the grid takes 28 pixels plus 2 of padding
        ax.text(2 + 30 * column + 14, 64, f"{distance[column].item():.1f}", ha="center", va="top")
    ax.set_xlabel("Euclidean pixel distance between the two images of each column", labelpad=22)
plt.tight_layout()
plt.show()

# %% [markdown]
# Samples whose distances are about those of the test images are no closer to the training set than new handwriting is, so they are not pixel copies; a copy would sit at a distance near 0. The check proves no more than that: a training digit moved by one or two pixels is already far away in Euclidean distance, so shifted copies go unnoticed, and the distance says nothing about quality, since a blurred blob can be as close to a thin training digit (a 1, say) as a test image is, while noise is far from every digit.

# %% [markdown]
# ### What to look for
#
# At the grading size both models have trained for a few seconds, so expect few confident classifications; where each model's MMD lies between the two reference rows is printed below the table of section 16. In our grading-size runs the VAE was already much closer to the test images than to noise, while the GAN, after its single epoch, stayed close to the noise row: its samples were still mostly noise. The uniform-noise row is a warning: a small MLP classifier is confident about a good share of pure noise, so read the confident fraction next to that baseline, not on its own. After a full run both models move towards the first row, and they tend to fail in different ways. The VAE's samples are smooth and somewhat blurry, because the decoder's pixel probabilities average over all the digits that a code could stand for. The discriminator punishes blur, so a GAN's strokes are usually sharper, but they can carry speckle noise, and nothing in the GAN's losses rewards covering *all* of the data, so some digits can become rare (mode dropping). In our full-size run (seed 0, 30 epochs each, on a CPU) both models ended close to the test images in MMD (0.0079 for the VAE, 0.0095 for the GAN, against 0.55 for noise); the classifier was confident about 51 % of the VAE's samples and 75 % of the GAN's, and both spread over all ten digits (class spread 0.97 and 0.95). The GAN drew only 28 zeros among its 1000 samples, the fewest of any digit (the VAE's fewest were 55 nines): the digit it covers least, which is also where to look in the witness figure's column of test images "least covered by the GAN". Run the notebook at full size and see whether your run shows the same.
#
# ### What to remember
#
# * A VAE maximises the ELBO $\mathbb{E}_q[\log p_\theta(x \mid z)] - \mathrm{KL}(q_\phi(z \mid x) \,\|\, p(z))$. With a diagonal Gaussian encoder that outputs $\log \sigma^2$, $z = \mu + e^{\log\sigma^2/2} \odot \varepsilon$ is differentiable, the KL to $\mathcal N(0, I)$ is $\frac12\sum(\sigma^2 + \mu^2 - 1 - \log\sigma^2)$, and $\log q(z \mid x) = \log\mathcal N(\varepsilon; 0, I) - \sum_j \log\sigma_j$.
# * The reconstruction term is a **sum** over pixels; the batch loss is a **mean** over images.
# * Compute losses of Bernoulli outputs from **logits** (`binary_cross_entropy_with_logits`, `softplus`, `logsigmoid`); `sigmoid` followed by `log` fails for confident networks.
# * A GAN step: D first on real and **detached** fakes, then G through the updated D with the **non-saturating** loss; zero each optimiser's gradients right before its own backward pass.
# * GAN losses do not measure sample quality. Compare generators through their samples: the unbiased $\widehat{\mathrm{MMD}}{}^2_u$ with a fixed kernel (about 0 for two samples of the same distribution, possibly negative), and a classifier's confidence and class spread.
# * Keep small data sets resident on the device and batch by indexing; pick the device once with `pick_device()` and never hard-code `.cuda()`.
