# ---
# jupyter:
#   dgmcourse_sync:
#     cells: 15148741740c6524
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
# # Assignment 6: Denoising diffusion
#
# Every model of this course so far generates in one shot: a GAN's generator or a VAE's decoder turns a code into a sample with one pass through a network. A **denoising diffusion model** takes the opposite route. It fixes, once and for all, a process that destroys data: add a little Gaussian noise, then a little more, for $T$ steps, until nothing but noise is left. Then it learns to run that process **backwards**, one small denoising step at a time. Each step is an easy problem (remove a little noise), the training objective is a plain regression, and there is no adversary to balance and no encoder to fit.
#
# We build the whole method from its parts and use it twice: on the two-Gaussian target $P$ of assignment 02, where we can measure the samples with the exact $W_1$ and compare with the WGAN-GP trained there, and on MNIST, where we score the samples with the digit classifier of assignment 05 next to the VAE and the GAN.
#
# By the end you will be able to
#
# 1. derive the closed form of the forward process $q(x_t \mid x_0)$ and compute a variance schedule (linear and cosine);
# 2. explain why "predict the noise" is a reweighted ELBO and, at the same time, denoising score matching;
# 3. write the training loss, one ancestral (DDPM) reverse step with the posterior variance, the full sampler, and a deterministic DDIM sampler that needs far fewer steps;
# 4. read a learned score field, and compare a diffusion model with a GAN and a VAE on the same numbers.
#
# ### How this notebook is graded
#
# * You write code only in the cells that contain `# YOUR CODE HERE` followed by `raise NotImplementedError(...)`. Replace those lines with your solution; keep the function names and signatures as given.
# * Each task is followed by **graded test cells** (read-only) with *visible checks* that you can run yourself and **hidden tests** that are added when we grade. The hidden tests use other inputs: fixed tensors with values computed independently, closed forms (the mean and variance of a Gaussian from many samples, the exact denoiser of Gaussian data), and trends that hold for every seed (the loss falls; the samples of the 2-D model come close to $P$ in exact $W_1$). They never judge the quality of one sample. A test cell earns all of its points if it runs without an error and none if it raises. The checks sit inside a function, `__test_cell__`, which the cell calls and then deletes: they leave your variables untouched.
# * There are 14 points in total: the schedule 2, `q_sample` 2, the loss 2 + 1 + 1, the reverse step 2, the DDPM sampler 1 + 1, the DDIM sampler 2.
# * Later tasks use earlier ones: the loss calls your `q_sample`, the samplers call your reverse step or your schedule. A mistake in an early task can therefore also cost the points of a later test cell.
# * **Two run sizes.** `run_size()` returns `'full'` by default: more training for both models, meant for a GPU (it also runs on a CPU: about 6 minutes on a 2-core machine, 5 of them for the 30 MNIST epochs). The grader sets `DGMCOURSE_SIZE=grading` and runs on a **CPU**; the whole notebook then takes under a minute. On a CPU the setup cell lets torch use one thread: our networks are small, and for them one thread is faster than several that wait for each other. Please do not change the hyperparameters in the locked cells.
# * Before you submit, **restart the kernel and run all cells from top to bottom**. The grader may set `DGMCOURSE_SEED` to another value; your code must not depend on a particular seed. Do not add, delete or copy cells.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from dgmcourse import cpu_threads_for, pick_device, run_size, seed_everything
from dgmcourse.student.checks import (check_allclose, check_close, check_scalar_tensor, check_shape,
                                      check_true)
from dgmcourse.student.data import load_mnist
from dgmcourse.student.images import show_images
from dgmcourse.student.mnist_eval import (accuracy, predict_proba, sample_statistics, statistics_table,
                                          train_digit_classifier)
from dgmcourse.student.plots import use_course_style

SEED = seed_everything()   # seeds Python, NumPy, torch (every device) and Pyro from $DGMCOURSE_SEED (default 0)
SIZE = run_size()          # 'grading' under the autograder, 'full' otherwise
DEVICE = pick_device()     # CUDA when there is a GPU, else the CPU; never call .cuda() yourself
# The MNIST denoiser has about 2 million parameters, the 2-D one 46 000. On a CPU, threads that split such small
# matrix products mostly wait for each other, so we use one thread there (cpu_threads_for says why in its
# docstring); on a GPU nothing changes.
THREADS = cpu_threads_for(DEVICE, parameters=2_000_000)
use_course_style()

CONFIG = {
    "grading": dict(iterations_2d=2000, eval_n=1000, n_train=6000, mnist_epochs=5, n_samples=1000,
                    classifier_images=10000, classifier_epochs=3),
    "full": dict(iterations_2d=8000, eval_n=1000, n_train=60000, mnist_epochs=30, n_samples=1000,
                 classifier_images=60000, classifier_epochs=4),
}[SIZE]
print(f"seed = {SEED}, run size = {SIZE}, device = {DEVICE}, torch {torch.__version__}, "
      f"{torch.get_num_threads()} CPU thread(s)")
print(CONFIG)

# %% [markdown]
# ## 1. The forward process
#
# Take a data point $x_0$ and a **variance schedule** $0 < \beta_1 < \beta_2 < \dots < \beta_T < 1$. The forward process adds a little Gaussian noise at each step and shrinks the signal a little, so that the total variance stays bounded:
#
# $$
# q(x_t \mid x_{t-1}) = \mathcal N\big(x_t;\ \sqrt{1 - \beta_t}\, x_{t-1},\ \beta_t I\big), \qquad t = 1, \dots, T .
# $$
#
# Write $\alpha_t = 1 - \beta_t$ and $\bar\alpha_t = \prod_{s=1}^{t} \alpha_s$ (with $\bar\alpha_0 = 1$, the empty product). Then **every** $x_t$ can be drawn from $x_0$ in one step:
#
# $$
# q(x_t \mid x_0) = \mathcal N\big(x_t;\ \sqrt{\bar\alpha_t}\, x_0,\ (1 - \bar\alpha_t) I\big), \qquad\text{that is}\qquad x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \varepsilon, \quad \varepsilon \sim \mathcal N(0, I).
# $$
#
# **Why.** By induction on $t$. For $t = 1$ it is the definition ($\bar\alpha_1 = \alpha_1$). Suppose $x_{t-1} = \sqrt{\bar\alpha_{t-1}}\, x_0 + \sqrt{1 - \bar\alpha_{t-1}}\, \varepsilon'$. One more step gives
#
# $$
# x_t = \sqrt{\alpha_t}\, x_{t-1} + \sqrt{\beta_t}\, \varepsilon'' = \sqrt{\alpha_t \bar\alpha_{t-1}}\, x_0 + \underbrace{\sqrt{\alpha_t (1 - \bar\alpha_{t-1})}\, \varepsilon' + \sqrt{1 - \alpha_t}\, \varepsilon''}_{\text{a sum of independent Gaussians}} .
# $$
#
# The two noise terms are independent with mean 0, so their sum is Gaussian with variance $\alpha_t (1 - \bar\alpha_{t-1}) + 1 - \alpha_t = 1 - \alpha_t \bar\alpha_{t-1} = 1 - \bar\alpha_t$: exactly the claim, since $\alpha_t \bar\alpha_{t-1} = \bar\alpha_t$. Two consequences we use all the time:
#
# * the **standard deviation** of the noise in $x_t$ is $\sqrt{1 - \bar\alpha_t}$, not $1 - \bar\alpha_t$;
# * if $x_0$ has unit variance, so does every $x_t$ ($\bar\alpha_t + 1 - \bar\alpha_t = 1$), and once $\bar\alpha_T \approx 0$, $x_T$ is (almost) pure noise $\mathcal N(0, I)$, whatever the data. That is where sampling will start. For this to work the data must live on the noise's scale, so we standardise the 2-D data and map MNIST pixels to $[-1, 1]$.
#
# ### Conventions in the code
#
# Every schedule quantity is a tensor of length $T + 1$ **indexed by $t$ itself**: `betas[t]` is $\beta_t$, `alpha_bars[t]` is $\bar\alpha_t$, for $t = 0, \dots, T$. Entry 0 stands for "no noise at all": $\beta_0 = 0$ and $\bar\alpha_0 = 1$. So the index in the code is the $t$ of the formulas, with no shift by one; a noised sample has $t \in \{1, \dots, T\}$.
#
# ### Two schedules
#
# The **linear** schedule of Ho et al. (2020) spaces $\beta_1, \dots, \beta_T$ evenly, from $10^{-4}$ to $0.02$ for $T = 1000$. With fewer steps each step must add more noise: for $T$ steps we multiply both ends by $1000 / T$, so that $\sum_t \beta_t$, and with it $\bar\alpha_T \approx e^{-\sum_t \beta_t}$, stays about the same. The helper `linear_betas` is given.
#
# The **cosine** schedule of Nichol and Dhariwal (2021) prescribes $\bar\alpha_t$ instead of $\beta_t$:
#
# $$
# \bar\alpha_t = \frac{f(t)}{f(0)}, \qquad f(t) = \cos^2\!\Big(\frac{t / T + s}{1 + s} \cdot \frac{\pi}{2}\Big), \qquad s = 0.008,
# $$
#
# and recovers the betas from consecutive ratios, $\beta_t = 1 - \bar\alpha_t / \bar\alpha_{t-1}$, clipped at $\beta_{\max} = 0.999$. The clip matters only at the very end, where $f(T) = 0$ would make $\beta_T = 1$. The small offset $s$ keeps $\beta_1$ from being vanishingly small. Compared with the linear schedule, the cosine one destroys information more evenly over the steps: the linear schedule has turned images into near-noise long before $t = T$, so its last few hundred steps are spent on almost nothing.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "linear_schedule", "locked": true, "schema_version": 3, "solution": false, "task": false}
def linear_betas(T, beta_1=1e-4, beta_T=0.02):
    """The linear schedule: float32 tensor [T + 1], betas[0] = 0 and betas[1:] evenly spaced from beta_1 to beta_T.

    Ho et al. (2020) used beta_1 = 1e-4 and beta_T = 0.02 for T = 1000; for other T, pass both times 1000 / T.
    """
    return torch.cat([torch.zeros(1), torch.linspace(beta_1, beta_T, T)])


print(linear_betas(4, 0.1, 0.4))

# %% [markdown]
# ## 2. Task: the schedule quantities (2 points)
#
# **Implement** two functions.
#
# `compute_alpha_bars(betas)`:
#
# * **In:** `betas`, a 1-D tensor of length $T + 1$ with `betas[0] = 0` (any floating dtype, any device).
# * **Out:** a new tensor of the same length, dtype and device with entry $t$ equal to $\bar\alpha_t = \prod_{s=1}^{t} (1 - \beta_s)$, so entry 0 is 1; `betas` itself stays unchanged (the `Schedule` below keeps it).
# * **How:** one call of `torch.cumprod`. Mind which product you take: $\alpha_t = 1 - \beta_t$ is the factor of one step, $\bar\alpha_t$ the product of all factors up to and including step $t$.
#
# `cosine_betas(T, s=0.008, max_beta=0.999)`:
#
# * **In:** the number of steps `T` (a Python int), the offset `s` and the clip `max_beta`.
# * **Out:** a float32 tensor of length $T + 1$: `betas[0] = 0` and, for $t = 1, \dots, T$, $\beta_t = \min\big(1 - \bar\alpha_t / \bar\alpha_{t-1},\ \beta_{\max}\big)$ with the cosine $\bar\alpha_t = f(t) / f(0)$ above.
# * **How:** evaluate $f$ at $t = 0, \dots, T$ in float64 (the ratios near $t = T$ are ratios of tiny numbers), take the ratios, clip, prepend the 0, and convert to float32 at the end.

# %% nbgrader={"grade": false, "grade_id": "schedule__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def compute_alpha_bars(betas):
    """alpha_bar_t = prod_{s <= t} (1 - beta_s) for t = 0, ..., T; betas[0] = 0, so the result starts with 1."""
    ### BEGIN SOLUTION
    return torch.cumprod(1.0 - betas, dim=0)
    ### END SOLUTION


def cosine_betas(T, s=0.008, max_beta=0.999):
    """The cosine schedule of Nichol and Dhariwal (2021): float32 tensor [T + 1] with betas[0] = 0."""
    ### BEGIN SOLUTION
    t = torch.arange(T + 1, dtype=torch.float64)
    f = torch.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bars = f / f[0]
    betas = (1.0 - alpha_bars[1:] / alpha_bars[:-1]).clamp(max=max_beta)
    return torch.cat([torch.zeros(1, dtype=torch.float64), betas]).float()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "schedule__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    # betas 0, 0.1, 0.2, 0.5: the factors are 1, 0.9, 0.8, 0.5 and their running products 1, 0.9, 0.72, 0.36.
    _betas = torch.tensor([0.0, 0.1, 0.2, 0.5])
    _ab = compute_alpha_bars(_betas)
    check_true(torch.equal(_betas, torch.tensor([0.0, 0.1, 0.2, 0.5])), "betas after compute_alpha_bars",
               f"were changed to {_betas.tolist()}",
               hint="compute 1 - betas as a new tensor; do not change betas in place")
    check_shape(_ab, (4,), "compute_alpha_bars of 4 betas")
    check_allclose(_ab, [1.0, 0.9, 0.72, 0.36], "compute_alpha_bars([0, 0.1, 0.2, 0.5])", atol=1e-6,
                   hint="alpha_bar_t is the running product of the factors alpha_s = 1 - beta_s up to and including "
                        "step t (torch.cumprod), not the factor alpha_t = 1 - beta_t of one step; entry 0 is 1")
    check_true(_ab.dtype == torch.float32, "compute_alpha_bars of float32 betas",
               f"returned {_ab.dtype}: keep the dtype of betas")
    _cb = cosine_betas(4)
    check_shape(_cb, (5,), "cosine_betas(4)")
    check_true(_cb.dtype == torch.float32, "cosine_betas(4)", f"expected float32, got {_cb.dtype}")
    # f(t) = cos^2((t/4 + 0.008) / 1.008 * pi/2); beta_t = 1 - f(t) / f(t-1); beta_4 = 1 is clipped to 0.999.
    _f = [math.cos((_t / 4 + 0.008) / 1.008 * math.pi / 2) ** 2 for _t in range(5)]
    check_allclose(_cb, [0.0] + [1 - _f[_t] / _f[_t - 1] for _t in range(1, 4)] + [0.999], "cosine_betas(4)",
                   atol=1e-6, hint="alpha_bar_t = f(t) / f(0); beta_t = 1 - alpha_bar_t / alpha_bar_(t-1), clipped at "
                                   "max_beta, with betas[0] = 0 in front")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # (a) running products against a Python loop, in float64, for a random schedule; dtype and length kept
    _g = torch.Generator().manual_seed(3)
    _b = torch.cat([torch.zeros(1, dtype=torch.float64), 0.3 * torch.rand(12, generator=_g, dtype=torch.float64)])
    _expected, _running = [], 1.0
    for _beta in _b.tolist():
        _running *= 1.0 - _beta
        _expected.append(_running)
    _got = compute_alpha_bars(_b)
    check_true(_got.dtype == torch.float64, "compute_alpha_bars of float64 betas", f"returned {_got.dtype}")
    check_allclose(_got, _expected, "compute_alpha_bars of 13 random betas", atol=1e-12, rtol=1e-12)
    # (b) the linear schedule for T = 1000 ends near exp(-sum beta) = exp(-10.05): about 4e-5
    _lin = compute_alpha_bars(linear_betas(1000).double())
    check_close(_lin[-1], float(np.prod(1 - np.linspace(1e-4, 0.02, 1000))), "alpha_bar_T of the linear schedule",
                atol=0, rtol=1e-6)
    # (c) the cosine schedule: the running products reproduce f(t) / f(0) for t < T; beta_T is the clip
    for _T, _s in ((10, 0.008), (1000, 0.008), (50, 0.1)):
        _cb = cosine_betas(_T, s=_s)
        check_shape(_cb, (_T + 1,), f"cosine_betas({_T})")
        check_true(_cb.dtype == torch.float32, f"cosine_betas({_T})", f"expected float32, got {_cb.dtype}")
        _t = np.arange(_T + 1)
        _fr = np.cos((_t / _T + _s) / (1 + _s) * np.pi / 2) ** 2
        _prod = np.cumprod(1 - _cb.double().numpy())
        check_allclose(_prod[:_T], _fr[:_T] / _fr[0], f"running products of cosine_betas({_T}, s={_s})",
                       atol=1e-6, rtol=1e-4)
        check_close(_cb[0], 0.0, f"cosine_betas({_T})[0]", atol=0)
        check_close(_cb[-1], 0.999, f"cosine_betas({_T})[T] (f(T) = 0, clipped)", atol=1e-7)
    _clipped = cosine_betas(20, max_beta=0.2)
    check_true(float(_clipped.max()) <= 0.2 + 1e-7 and abs(float(_clipped[-2]) - 0.2) < 1e-7,
               "cosine_betas(20, max_beta=0.2)", f"expected every beta clipped at 0.2, got {_clipped.tolist()}")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# The class below bundles a schedule. It calls your `compute_alpha_bars` unless it is given the running products. The test cells of the later tasks always give them, so that a mistake in this task costs its own points there, not theirs; the training runs of Parts II and III use your function. The figure compares the two schedules for $T = 1000$ through $\bar\alpha_t$ and through the **signal-to-noise ratio** $\mathrm{SNR}(t) = \bar\alpha_t / (1 - \bar\alpha_t)$, the ratio of the signal's variance to the noise's in $x_t$ for data of unit variance.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "schedule_class", "locked": true, "schema_version": 3, "solution": false, "task": false}
class Schedule:
    """A variance schedule: betas, alphas = 1 - betas and alpha_bars, tensors of length T + 1 indexed by t."""

    def __init__(self, betas, alpha_bars=None):
        self.betas = betas
        self.alphas = 1.0 - betas
        self.alpha_bars = compute_alpha_bars(betas) if alpha_bars is None else alpha_bars
        self.T = len(betas) - 1

    def to(self, device):
        return Schedule(self.betas.to(device), self.alpha_bars.to(device))


# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, betas in (("linear", linear_betas(1000)), ("cosine", cosine_betas(1000))):
    alpha_bars = compute_alpha_bars(betas.double())
    steps = np.arange(1, 1001)
    axes[0].plot(steps, alpha_bars[1:], label=name)
    axes[1].plot(steps[:-1], torch.log(alpha_bars[1:-1] / (1 - alpha_bars[1:-1])), label=name)
axes[0].set(xlabel="t", ylabel=r"$\bar\alpha_t$", title=r"signal kept: $\bar\alpha_t$")
axes[1].set(xlabel="t", ylabel="log SNR(t)",
            title=r"log signal-to-noise ratio $\log(\bar\alpha_t / (1 - \bar\alpha_t))$")
for ax in axes:
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The linear schedule's $\bar\alpha_t$ is below 0.01 from about $t = 670$ on: the last 330 of its 1000 steps see almost pure noise. The cosine schedule's log SNR falls almost linearly over the whole range and plunges only in the last few steps, where the clip at $\beta_T = 0.999$ sets $\bar\alpha_T \approx 2 \cdot 10^{-9}$.
#
# ## 3. Task: noising a batch in one step (2 points)
#
# **Implement** `q_sample(x0, t, noise, schedule)`, the closed form of section 1 for a whole batch, each example at its own $t$:
#
# * **In:** `x0`, a batch of data of shape `[B, ...]` (2-D points `[B, 2]`, images `[B, 1, 28, 28]`, any floating dtype); `t`, an int64 tensor of shape `[B]` with entries in $\{1, \dots, T\}$; `noise`, the $\varepsilon$, of the same shape as `x0`; `schedule`, a `Schedule` on the same device.
# * **Out:** $x_t = \sqrt{\bar\alpha_{t}}\, x_0 + \sqrt{1 - \bar\alpha_{t}}\, \varepsilon$, row $i$ with its own $t_i$, same shape as `x0`, differentiable.
# * **How:** index `schedule.alpha_bars` with `t` (one value per row), then reshape the result to `[B, 1, ..., 1]` with as many ones as `x0` has dimensions after the first, so that it broadcasts over each example. Use $\bar\alpha_t$ (the product), not $\alpha_t$ (one step), and the square roots of both coefficients.

# %% nbgrader={"grade": false, "grade_id": "q_sample__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def q_sample(x0, t, noise, schedule):
    """x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise, with t of shape [B] broadcast over each row."""
    ### BEGIN SOLUTION
    alpha_bar = schedule.alpha_bars[t].reshape(-1, *([1] * (x0.dim() - 1)))
    return alpha_bar.sqrt() * x0 + (1.0 - alpha_bar).sqrt() * noise
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "q_sample__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    # A 3-step schedule with alpha_bar = 1, 0.64, 0.36, 0.04: sqrt(alpha_bar) = 1, 0.8, 0.6, 0.2 and
    # sqrt(1 - alpha_bar) = 0, 0.6, 0.8, ~0.98.
    _s = Schedule(torch.tensor([0.0, 0.36, 0.4375, 0.8889]), alpha_bars=torch.tensor([1.0, 0.64, 0.36, 0.04]))
    _x0 = torch.tensor([[1.0, 2.0], [1.0, 2.0], [-3.0, 0.5]])
    _noise = torch.tensor([[0.5, -1.0], [0.5, -1.0], [2.0, 0.0]])
    _xt = q_sample(_x0, torch.tensor([1, 2, 3]), _noise, _s)
    check_shape(_xt, (3, 2), "q_sample of 3 points in 2-D")
    check_allclose(_xt, [[0.8 + 0.3, 1.6 - 0.6], [0.6 + 0.4, 1.2 - 0.8], [-0.6 + 2 * math.sqrt(0.96), 0.1]],
                   "q_sample with t = [1, 2, 3]", atol=1e-5,
                   hint="x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise: the noise's coefficient is a "
                        "standard deviation, the square root of 1 - alpha_bar_t; index alpha_bars with t itself")
    # images: t must broadcast over the channel and pixel dimensions of each example
    _img = q_sample(torch.ones(2, 1, 2, 2), torch.tensor([1, 3]), torch.zeros(2, 1, 2, 2), _s)
    check_shape(_img, (2, 1, 2, 2), "q_sample of 2 images of shape [1, 2, 2]")
    check_allclose(_img[:, 0, 0, 0], [0.8, 0.2], "q_sample of images (noise 0)", atol=1e-6,
                   hint="reshape the per-row coefficient to [B, 1, 1, 1] so that it broadcasts over each image")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    _T = 50
    _betas = torch.linspace(0.01, 0.3, _T + 1, dtype=torch.float64)
    _betas[0] = 0.0
    _s = Schedule(_betas, alpha_bars=torch.cumprod(1 - _betas, 0))
    _ab = _s.alpha_bars
    # (a) fixed tensors in float64, every row at another t, for 2-D points and for images
    _g = torch.Generator().manual_seed(21)
    _x0 = torch.randn(7, 3, generator=_g, dtype=torch.float64)
    _eps = torch.randn(7, 3, generator=_g, dtype=torch.float64)
    _t = torch.tensor([1, 2, 5, 17, 30, 49, 50])
    _exp = _ab[_t, None].sqrt() * _x0 + (1 - _ab[_t, None]).sqrt() * _eps
    check_allclose(q_sample(_x0, _t, _eps, _s), _exp, "q_sample of 7 rows at 7 different t", atol=1e-12,
                   rtol=1e-12)
    check_allclose(q_sample(50 * _x0, _t, _eps, _s),
                   _ab[_t, None].sqrt() * 50 * _x0 + (1 - _ab[_t, None]).sqrt() * _eps,
                   "q_sample of large values (50 x0)", atol=1e-10, rtol=1e-12)
    _x3 = torch.randn(3, 5, 7, generator=_g, dtype=torch.float64)
    _t3 = torch.tensor([4, 40, 1])
    check_allclose(q_sample(_x3, _t3, -_x3, _s),
                   (_ab[_t3].sqrt() - (1 - _ab[_t3]).sqrt()).reshape(3, 1, 1) * _x3, "q_sample of inputs [3, 5, 7]",
                   atol=1e-12, rtol=1e-12, hint="reshape to [B] followed by as many 1s as x0 has further dimensions")
    _xi = torch.randn(4, 1, 3, 5, generator=_g, dtype=torch.float64)
    _ei = torch.randn(4, 1, 3, 5, generator=_g, dtype=torch.float64)
    _ti = torch.tensor([50, 3, 1, 20])
    _expi = _ab[_ti].reshape(4, 1, 1, 1).sqrt() * _xi + (1 - _ab[_ti]).reshape(4, 1, 1, 1).sqrt() * _ei
    check_allclose(q_sample(_xi, _ti, _ei, _s), _expi, "q_sample of 4 images at 4 different t", atol=1e-12, rtol=1e-12)
    # (b) the marginal: for x0 fixed, x_t over 200 000 noise draws has mean sqrt(alpha_bar) x0 and variance
    #     1 - alpha_bar (standard errors below 0.003 and 0.004)
    for _tt in (3, 25):
        _n = 200_000
        _xs = q_sample(torch.full((_n, 1), 2.0, dtype=torch.float64), torch.full((_n,), _tt),
                       torch.randn(_n, 1, generator=_g, dtype=torch.float64), _s)
        check_close(_xs.mean(), 2.0 * math.sqrt(_ab[_tt]), f"mean of x_t at t = {_tt} over {_n} draws", atol=0.015,
                    rtol=0)
        check_close(_xs.var(), 1 - float(_ab[_tt]), f"variance of x_t at t = {_tt} over {_n} draws", atol=0.02,
                    rtol=0)
    # (c) differentiable in x0: d x_t / d x0 = sqrt(alpha_bar_t)
    _xg = _x0.clone().requires_grad_(True)
    q_sample(_xg, _t, _eps, _s).sum().backward()
    check_allclose(_xg.grad, _ab[_t, None].sqrt().expand(7, 3), "d q_sample / d x0", atol=1e-12)
    # (d) float32 inputs with a float32 schedule stay float32
    _s32 = Schedule(_betas.float(), alpha_bars=_ab.float())
    _out = q_sample(_x0.float(), _t, _eps.float(), _s32)
    check_true(_out.dtype == torch.float32, "q_sample in float32", f"returned {_out.dtype}")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 4. The target and the forward process on it
#
# Our first data set is the target $P = \tfrac12 \mathcal N\big((-5, -5), I\big) + \tfrac12 \mathcal N\big((4, 3), I\big)$ of assignment 02, sampled the same way (exactly half of the points from each mode). Its coordinates spread over about $\pm 6$, far more than the unit variance of the noise, so we **standardise**: subtract the mean of the training sample and divide by its standard deviation, per coordinate. The model lives in these coordinates; we map its samples back before we measure them.
#
# For the 2-D model we use $T = 100$ steps of the linear schedule, with both ends scaled by $1000 / 100$ as in section 1: $\beta$ runs from $0.001$ to $0.2$ and $\bar\alpha_{100} \approx 2 \cdot 10^{-5}$. The figure shows 1000 training points pushed through your `q_sample` at a few $t$: the two modes blur, then merge, then become one standard normal cloud.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "data_2d", "locked": true, "schema_version": 3, "solution": false, "task": false}
MODE_MEANS = torch.tensor([[-5.0, -5.0], [4.0, 3.0]])


def sample_p(n, generator=None):
    """n samples of P, shape (n, 2): the first n - n // 2 rows from the mode at (-5, -5), the rest from (4, 3)."""
    counts = torch.tensor([n - n // 2, n // 2])
    centres = MODE_MEANS.repeat_interleave(counts, dim=0)
    return centres + torch.randn(n, 2, generator=generator)


x_data = sample_p(2000)                                          # the training set of the 2-D model
DATA_MEAN, DATA_STD = x_data.mean(0), x_data.std(0)
x_train_2d = (x_data - DATA_MEAN) / DATA_STD                     # standardised: mean 0, variance 1 per coordinate
T_2D = 100
SCHEDULE_2D = Schedule(linear_betas(T_2D, 1e-4 * 1000 / T_2D, 0.02 * 1000 / T_2D))
print(f"data mean {DATA_MEAN.tolist()}, std {DATA_STD.tolist()}; alpha_bar_T = {SCHEDULE_2D.alpha_bars[-1]:.2e}")

# %%
snapshot_ts = [0, 5, 10, 20, 40, 100]
fig, axes = plt.subplots(1, len(snapshot_ts), figsize=(3 * len(snapshot_ts), 3.2), sharex=True, sharey=True)
_g = torch.Generator().manual_seed(1)
shown = x_train_2d[::2]                       # every second point: both modes (sample_p puts them in order)
for ax, t in zip(axes, snapshot_ts):
    if t == 0:
        noised = shown
    else:
        noised = q_sample(shown, torch.full((len(shown),), t), torch.randn(shown.shape, generator=_g), SCHEDULE_2D)
    ax.scatter(noised[:, 0], noised[:, 1], s=2, alpha=0.5, color="C0" if t == 0 else "C1")
    ax.set_title(f"t = {t}, " + r"$\bar\alpha_t$" + f" = {SCHEDULE_2D.alpha_bars[t]:.3f}")
    ax.set_xlim(-4, 4)
    ax.set_ylim(-4, 4)
    ax.set_aspect("equal")
plt.suptitle("The forward process on the standardised 2-D data (orange: x_t from your q_sample)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 5. The objective: predict the noise
#
# ### The reverse process and its ELBO
#
# We want a model $p_\theta(x_{t-1} \mid x_t)$ that undoes one step of the forward process. Then sampling is easy: draw $x_T \sim \mathcal N(0, I)$ and apply the model $T$ times. Like the VAE of assignments 04 and 05, this is a latent variable model, with latents $x_1, \dots, x_T$, and the same argument (divide and multiply by $q$ inside the integral, then Jensen's inequality) gives a lower bound on the log-likelihood:
#
# $$
# \log p_\theta(x_0) \ \ge\ \mathbb E_q\Big[\log p_\theta(x_0 \mid x_1)\Big] - \sum_{t=2}^{T} \mathbb E_q\Big[\mathrm{KL}\big(q(x_{t-1} \mid x_t, x_0)\ \big\|\ p_\theta(x_{t-1} \mid x_t)\big)\Big] - \mathrm{KL}\big(q(x_T \mid x_0)\ \|\ p(x_T)\big).
# $$
#
# The "encoder" $q$ is fixed here, not learned, and the last term does not depend on $\theta$ (it is tiny when $\bar\alpha_T \approx 0$). The middle terms compare each model step with the **forward process's posterior** $q(x_{t-1} \mid x_t, x_0)$: given where the chain started and where it is now, where was it one step ago? That posterior is Gaussian, by Bayes' rule with two Gaussian factors, $q(x_t \mid x_{t-1})$ and $q(x_{t-1} \mid x_0)$:
#
# $$
# q(x_{t-1} \mid x_t, x_0) = \mathcal N\big(x_{t-1};\ \tilde\mu_t(x_t, x_0),\ \tilde\beta_t I\big), \qquad
# \tilde\mu_t = \frac{\sqrt{\bar\alpha_{t-1}}\, \beta_t}{1 - \bar\alpha_t}\, x_0 + \frac{\sqrt{\alpha_t}\, (1 - \bar\alpha_{t-1})}{1 - \bar\alpha_t}\, x_t, \qquad
# \tilde\beta_t = \frac{1 - \bar\alpha_{t-1}}{1 - \bar\alpha_t}\, \beta_t .
# $$
#
# (Collect the terms of both exponents that are quadratic and linear in $x_{t-1}$: the precision is $\alpha_t / \beta_t + 1 / (1 - \bar\alpha_{t-1}) = (1 - \bar\alpha_t) / (\beta_t (1 - \bar\alpha_{t-1}))$, whose inverse is $\tilde\beta_t$.) Now write $x_0$ through the noise that produced $x_t$, $x_0 = (x_t - \sqrt{1 - \bar\alpha_t}\, \varepsilon) / \sqrt{\bar\alpha_t}$. The coefficient of $x_t$ adds up to $(\beta_t + \alpha_t - \bar\alpha_t) / ((1 - \bar\alpha_t) \sqrt{\alpha_t}) = 1 / \sqrt{\alpha_t}$, and
#
# $$
# \tilde\mu_t = \frac{1}{\sqrt{\alpha_t}} \Big(x_t - \frac{\beta_t}{\sqrt{1 - \bar\alpha_t}}\, \varepsilon\Big).
# $$
#
# So we give the model the same form, with a network $\varepsilon_\theta(x_t, t)$ that **guesses the noise** in $x_t$, and the posterior's variance: $p_\theta(x_{t-1} \mid x_t) = \mathcal N\big(\mu_\theta, \tilde\beta_t I\big)$ with $\mu_\theta = \frac{1}{\sqrt{\alpha_t}} \big(x_t - \frac{\beta_t}{\sqrt{1 - \bar\alpha_t}}\, \varepsilon_\theta(x_t, t)\big)$. The KL between two Gaussians with the same covariance $\tilde\beta_t I$ is the squared distance of their means over $2 \tilde\beta_t$:
#
# $$
# \mathrm{KL}\big(q(x_{t-1} \mid x_t, x_0)\ \|\ p_\theta(x_{t-1} \mid x_t)\big) = \frac{\lVert \tilde\mu_t - \mu_\theta \rVert^2}{2 \tilde\beta_t} = \underbrace{\frac{\beta_t^2}{2 \tilde\beta_t\, \alpha_t\, (1 - \bar\alpha_t)}}_{w_t}\ \big\lVert \varepsilon - \varepsilon_\theta(x_t, t) \big\rVert^2 .
# $$
#
# The ELBO is therefore a **weighted sum of noise-prediction errors**, one per $t$ (the first term, $\log p_\theta(x_0 \mid x_1)$, is a likelihood rather than a KL; Ho et al. give it a decoder of its own, and the simple loss below just treats $t = 1$ like every other step). Ho et al. (2020) found that dropping the weights $w_t$ gives better samples: the **simple loss**
#
# $$
# L_{\text{simple}}(\theta) = \mathbb E_{x_0,\ t \sim \mathcal U\{1, \dots, T\},\ \varepsilon \sim \mathcal N(0, I)} \Big[\big\lVert \varepsilon - \varepsilon_\theta\big(\sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \varepsilon,\ t\big) \big\rVert^2\Big]
# $$
#
# is the ELBO with each $t$ reweighted by $1 / w_t$. Since every weight is positive, the best possible $\varepsilon_\theta$ is the same for both: for each $t$, the conditional mean $\mathbb E[\varepsilon \mid x_t]$. The weights only decide which noise levels the network's limited capacity is spent on; $w_t$ is largest at small $t$, where the noise is faint and the samples' fine detail lives, and the simple loss moves effort towards the noisier steps.
#
# ### The same loss is denoising score matching
#
# The **score** of a density is the gradient of its logarithm, $\nabla_x \log p(x)$: an arrow at every point towards higher density. For one data point, $\nabla_{x_t} \log q(x_t \mid x_0) = -(x_t - \sqrt{\bar\alpha_t}\, x_0) / (1 - \bar\alpha_t) = -\varepsilon / \sqrt{1 - \bar\alpha_t}$. Averaged over the data points that could have produced $x_t$, this becomes the score of the noised data's marginal $p_t$ (the identity behind *denoising score matching*, Vincent 2011):
#
# $$
# \nabla_{x_t} \log p_t(x_t) = -\frac{\mathbb E[\varepsilon \mid x_t]}{\sqrt{1 - \bar\alpha_t}} \qquad\Longrightarrow\qquad s_\theta(x_t, t) := -\frac{\varepsilon_\theta(x_t, t)}{\sqrt{1 - \bar\alpha_t}} \approx \nabla_{x_t} \log p_t(x_t).
# $$
#
# So a network trained to predict the noise has learned the score of every noised version of the data at once, and the reverse step is a step **uphill** on $\log p_t$ (the term $-\beta_t \varepsilon_\theta / \sqrt{1 - \bar\alpha_t} = \beta_t s_\theta$ in $\mu_\theta$) plus a little fresh noise: a form of Langevin dynamics. We will draw this score field after training.
#
# ## 6. Task: the training loss (2 + 1 + 1 points)
#
# **Implement** `diffusion_loss(model, x0, schedule)`, a Monte Carlo estimate of $L_{\text{simple}}$ on one mini-batch:
#
# * **In:** `model`, a callable `model(x_t, t)` that takes a batch `x_t` of the shape of `x0` and an int64 tensor `t` of shape `[B]`, and returns its guess of the noise, of the shape of `x0`; `x0`, a batch `[B, ...]`; `schedule`, a `Schedule` on the device of `x0`.
# * **Out:** a scalar tensor, differentiable with respect to the model's parameters: the **mean** over all entries (every example and every coordinate or pixel) of $(\varepsilon - \varepsilon_\theta(x_t, t))^2$.
# * **How:** draw one $t$ per example, uniformly from $\{1, \dots, T\}$ (`torch.randint(1, schedule.T + 1, (B,), device=x0.device)`: its upper bound is exclusive), fresh noise with `torch.randn_like(x0)`, noise the batch with your `q_sample`, call the model **once** on the whole noised batch, and compare its output with **the noise**, not with $x_0$. Each example gets its own $t$: one $t$ for the whole batch gives a much noisier gradient.
#
# The mean over coordinates instead of the sum of the formula only rescales the loss by the dimension, which the learning rate absorbs.

# %% nbgrader={"grade": false, "grade_id": "loss__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def diffusion_loss(model, x0, schedule):
    """The simple loss: mean squared error between fresh noise and the model's guess of it at a random t per row."""
    ### BEGIN SOLUTION
    t = torch.randint(1, schedule.T + 1, (x0.shape[0],), device=x0.device)
    noise = torch.randn_like(x0)
    return F.mse_loss(model(q_sample(x0, t, noise, schedule), t), noise)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "loss__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _seen = []

    def _spy(x_t, t):
        """Records what it is given and guesses the noise to be 0."""
        _seen.append((x_t.detach().clone(), t.detach().clone()))
        return torch.zeros_like(x_t)

    _b = linear_betas(10, 0.02, 0.3)
    _s = Schedule(_b, alpha_bars=torch.tensor([math.prod(1 - _v for _v in _b[:_k + 1].tolist()) for _k in range(11)]))
    _loss = diffusion_loss(_spy, torch.zeros(4000, 2), _s)
    check_scalar_tensor(_loss, "diffusion_loss")
    check_true(len(_seen) == 1, "diffusion_loss", f"expected one call of the model, got {len(_seen)}")
    _t = _seen[0][1]
    check_shape(_t, (4000,), "the t given to the model (one per example)")
    check_true(int(_t.min()) >= 1 and int(_t.max()) <= 10, "the t given to the model",
               f"expected values in 1..T = 1..10, got {int(_t.min())}..{int(_t.max())}",
               hint="t = 0 is the clean data and T itself is a valid step: torch.randint(1, T + 1, ...), whose upper "
                    "bound is exclusive")
    check_true(set(_t.tolist()) == set(range(1, 11)), "the t given to the model",
               f"expected every step 1..10 among 4000 draws, got {sorted(set(_t.tolist()))}",
               hint="draw t uniformly from 1..T, one per example: torch.randint(1, T + 1, (B,))")
    # x0 = 0, so x_t = sqrt(1 - alpha_bar_t) eps; a model that guesses 0 has loss mean(eps^2), about 1
    check_close(_loss, 1.0, "diffusion_loss of a model that always guesses 0 (4000 points)", atol=0.1,
                hint="the target is the noise eps ~ N(0, I): the loss of a guess of 0 is the mean of eps^2, about 1")
    # ... and a model that divides x_t by sqrt(1 - alpha_bar_t) at the t it is given knows the noise exactly: loss 0
    _ab = _s.alpha_bars

    def _knows(x_t, t):
        return x_t / (1 - _ab[t]).sqrt().reshape(-1, 1)

    check_close(diffusion_loss(_knows, torch.zeros(4000, 2), _s), 0.0,
                "diffusion_loss of a model that knows the noise exactly (x0 = 0)", atol=1e-5,
                hint="noise the batch with q_sample(x0, t, noise, schedule), alpha_bar at the same t that is given to "
                     "the model, and compare the model's output with that same noise")
    _net = nn.Linear(2, 2)
    _l = diffusion_loss(lambda x_t, t: _net(x_t), torch.randn(16, 2), _s)
    check_scalar_tensor(_l, "diffusion_loss with a linear network", requires_grad=True)
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    torch.manual_seed(4321 + SEED)   # the statistical checks below then give the same verdict on every run
    # (a) Recover the noise from what the model saw, eps = (x_t - sqrt(alpha_bar_t) x0) / sqrt(1 - alpha_bar_t),
    #     and recompute the loss of a model with a known, t-dependent guess.
    _T = 20
    _betas = torch.linspace(0.01, 0.2, _T + 1, dtype=torch.float64)
    _betas[0] = 0.0
    _ab = torch.cumprod(1 - _betas, 0)
    _s = Schedule(_betas, alpha_bars=_ab)
    _seen.clear()

    def _guess(x_t, t):
        _seen.append((x_t.detach().clone(), t.detach().clone()))
        return 0.5 * x_t + 0.01 * t.to(x_t.dtype).reshape(-1, *([1] * (x_t.dim() - 1)))

    _g = torch.Generator().manual_seed(5)
    for _shape in ((3000, 2), (500, 1, 3, 3)):
        _seen.clear()
        _x0 = torch.randn(*_shape, generator=_g, dtype=torch.float64) * 5 + 1
        _loss = diffusion_loss(_guess, _x0, _s)
        check_true(len(_seen) == 1, "diffusion_loss", f"expected one call of the model, got {len(_seen)}")
        _xt, _t = _seen[0]
        check_true(_t.dtype == torch.int64 and _t.shape == (_shape[0],), "the t given to the model",
                   f"expected int64 of shape ({_shape[0]},), got {_t.dtype} {tuple(_t.shape)}")
        _b = _ab[_t].reshape(-1, *([1] * (len(_shape) - 1)))
        _eps = (_xt - _b.sqrt() * _x0) / (1 - _b).sqrt()
        check_close(_eps.mean(), 0.0, f"mean of the noise recovered from x_t (shape {_shape})", atol=0.07, rtol=0,
                    hint="x_t must be q_sample(x0, t, noise) with fresh standard normal noise")
        check_close(_eps.std(), 1.0, f"std of the noise recovered from x_t (shape {_shape})", atol=0.05, rtol=0,
                    hint="x_t must be q_sample(x0, t, noise) with fresh standard normal noise")
        # Every entry gets noise of its own: two coordinates of the recovered noise are uncorrelated (standard
        # error 0.02 to 0.05); one draw per example, shared by its coordinates, gives a correlation of 1.
        _flat = _eps.flatten(1)
        _corr = float(torch.corrcoef(torch.stack([_flat[:, 0], _flat[:, 1]]))[0, 1])
        check_true(abs(_corr) < 0.25, f"the noise recovered from x_t (shape {_shape})",
                   f"two coordinates of each example's noise are correlated ({_corr:.2f})",
                   hint="draw the noise with torch.randn_like(x0): one independent value per entry")
        # The recovered noise must not depend on x0: its regression slope on x0 is 0 (standard error about 0.003).
        # A signal coefficient taken at another step, sqrt(alpha_bar_(t-1)) say, leaves a slope of about 0.05.
        _slope = float(((_eps - _eps.mean()) * (_x0 - _x0.mean())).mean() / _x0.var())
        check_close(_slope, 0.0, f"slope of the recovered noise on x0 (shape {_shape})", atol=0.015, rtol=0,
                    hint="x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise, with alpha_bar at the same t that "
                         "is given to the model")
        _expected = ((_guess(_xt, _t) - _eps) ** 2).mean()
        check_close(_loss, float(_expected), f"diffusion_loss against the recovered noise (shape {_shape})",
                    atol=1e-8, rtol=1e-8, hint="the mean over all entries of (noise - model(x_t, t))^2")
        # every t in 1..T about equally often, and several values within the batch
        _counts = torch.bincount(_t, minlength=_T + 1)
        check_true(int(_counts[0]) == 0 and int(_t.max()) <= _T, "the t given to the model",
                   f"expected 1..{_T}, got {int(_t.min())}..{int(_t.max())}")
        _expected_count = _shape[0] / _T
        check_true(bool(((_counts[1:] - _expected_count).abs() < 5 * math.sqrt(_expected_count) + 1).all()),
                   "the t given to the model", f"expected each of 1..{_T} about equally often, got {_counts.tolist()}",
                   hint="one t per example, drawn uniformly from 1..T")
    # (b) fresh randomness: two calls see different t and different noise
    _seen.clear()
    _x0 = torch.zeros(64, 2, dtype=torch.float64)
    diffusion_loss(_guess, _x0, _s)
    diffusion_loss(_guess, _x0, _s)
    _noises = [_xt / (1 - _ab[_t]).sqrt().reshape(-1, 1) for _xt, _t in _seen]   # x0 = 0: x_t = sqrt(1 - ab) eps
    check_true(not torch.equal(_seen[0][1], _seen[1][1]), "two calls of diffusion_loss", "drew the same t twice",
               hint="draw t anew on every call, from the global random state (no generator seeded inside)")
    check_true(not torch.allclose(_noises[0], _noises[1]), "two calls of diffusion_loss", "used the same noise twice",
               hint="draw the noise anew on every call with torch.randn_like(x0)")
    # (c) gradients reach the model's parameters, and the loss of the exact denoiser of N(m, 1) data is known:
    #     E[eps | x_t] = sqrt(1 - ab)(x_t - sqrt(ab) m), and the remaining error has variance ab per coordinate,
    #     so the loss is the average of alpha_bar_t over t = 1..T.
    _net = nn.Linear(2, 2).double()
    _l = diffusion_loss(lambda x_t, t: _net(x_t), torch.randn(32, 2, generator=_g, dtype=torch.float64), _s)
    _l.backward()
    check_true(_net.weight.grad is not None and bool(_net.weight.grad.abs().sum() > 0), "diffusion_loss",
               "no gradient reached the model's parameters")

    def _exact(x_t, t):
        _b = _ab[t].reshape(-1, 1)
        return (1 - _b).sqrt() * (x_t - _b.sqrt() * 3.0)

    _x0 = 3.0 + torch.randn(100_000, 2, generator=_g, dtype=torch.float64)
    check_close(diffusion_loss(_exact, _x0, _s), float(_ab[1:].mean()), "diffusion_loss of the exact denoiser",
                atol=0.01, rtol=0)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 7. The denoiser network
#
# $\varepsilon_\theta(x_t, t)$ must work for every noise level, so it takes $t$ as a second input. A number between 1 and $T$ is a poor input for a network (the difference between $t = 3$ and $t = 4$ matters far more than that between 903 and 904), so we feed it a **sinusoidal embedding**: $\sin$ and $\cos$ of $t$ at frequencies spread over three orders of magnitude, the positional encoding of the Transformer. The network is an MLP on $[x_t, \text{embedding}(t)]$, with the embedding fed into every hidden layer again, plus a **linear skip path** from $x_t$ straight to the output. The skip matters for images: at large $t$ the best guess of the noise is close to $x_t$ itself, and without the skip, 784 numbers would have to squeeze through a hidden layer of 512; in our trials the loss then stalled near 0.77, while with the skip it kept falling.
#
# The class is given; it works for the 2-D points and, after flattening, for the images.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "denoiser", "locked": true, "schema_version": 3, "solution": false, "task": false}
class TimeEmbedding(nn.Module):
    """Fixed sinusoidal features of t / T: sin and cos at frequencies from 1 to 1000 (dim must be even)."""

    def __init__(self, dim, T):
        super().__init__()
        self.T = T
        self.register_buffer("frequencies", torch.exp(-math.log(1000.0) * torch.arange(dim // 2) / (dim // 2)))

    def forward(self, t):
        angles = (t.to(self.frequencies.dtype) / self.T * 1000.0)[:, None] * self.frequencies[None]
        return torch.cat([angles.sin(), angles.cos()], dim=1)


class Denoiser(nn.Module):
    """eps_theta(x_t, t) for inputs of shape [B, ...] with prod(...) = dim: an MLP with the time embedding in every
    layer and a linear skip path from x_t to the output. Returns a tensor of the shape of x_t."""

    def __init__(self, dim, T, hidden=128, embedding=32, depth=3):
        super().__init__()
        self.embed = TimeEmbedding(embedding, T)
        self.layers = nn.ModuleList([nn.Linear(dim + embedding, hidden)] +
                                    [nn.Linear(hidden + embedding, hidden) for _ in range(depth - 1)])
        self.out = nn.Linear(hidden, dim)
        self.skip = nn.Linear(dim, dim)

    def forward(self, x_t, t):
        x = x_t.flatten(1)
        e = self.embed(t)
        h = x
        for layer in self.layers:
            h = F.silu(layer(torch.cat([h, e], dim=1)))
        return (self.out(h) + self.skip(x)).reshape(x_t.shape)


print(f"2-D denoiser: {sum(p.numel() for p in Denoiser(2, 100).parameters())} parameters")

# %% [markdown]
# ## 8. Task: one reverse step (2 points)
#
# With the model of section 5, one step of the reverse chain is
#
# $$
# x_{t-1} = \underbrace{\frac{1}{\sqrt{\alpha_t}} \Big(x_t - \frac{\beta_t}{\sqrt{1 - \bar\alpha_t}}\, \varepsilon_\theta(x_t, t)\Big)}_{\mu_\theta(x_t, t)} + \sigma_t z, \qquad z \sim \mathcal N(0, I), \qquad \sigma_t^2 = \tilde\beta_t = \frac{1 - \bar\alpha_{t-1}}{1 - \bar\alpha_t}\, \beta_t .
# $$
#
# Three details decide whether it works:
#
# * the noise guess is **subtracted**: $x_t$ contains $+\sqrt{1 - \bar\alpha_t}\, \varepsilon$, and the step removes part of it;
# * the division is by $\sqrt{\alpha_t}$ of **this step**, while the noise coefficient uses $\bar\alpha_t$, the product;
# * the last step, $t = 1$, adds **no** noise: $x_0$ is the sample itself, and noise added there would stay in it. The formula agrees: $\bar\alpha_0 = 1$ makes $\tilde\beta_1 = 0$. So at $t = 1$ the result is the mean $\mu_\theta$; whether you skip the noise term there with an `if` or add $\sigma_1 \cdot$ `noise` $= 0$ is up to you.
#
# (Ho et al. report that $\sigma_t^2 = \beta_t$ gives similar samples; it is the variance of the chain if $x_0$ were pure noise, while $\tilde\beta_t$ is exact if $x_0$ were a single point. We use $\tilde\beta_t$, and the tests check it.)
#
# **Implement** `p_sample_step(model, x_t, t, schedule, noise)`:
#
# * **In:** `model` as in the loss; `x_t`, a batch `[B, ...]`; `t`, a Python int in $\{1, \dots, T\}$, the same for the whole batch; `schedule`; `noise`, the $z$, a tensor of the shape of `x_t` (drawn by the caller, so that a step can be checked with chosen noise).
# * **Out:** $x_{t-1}$, a tensor of the shape of `x_t`.
# * **How:** call the model once, with `torch.full((B,), t, dtype=torch.long, device=x_t.device)` as its `t`.

# %% nbgrader={"grade": false, "grade_id": "p_step__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def p_sample_step(model, x_t, t, schedule, noise):
    """One ancestral step x_t -> x_(t-1) with the posterior variance; no noise at t = 1."""
    ### BEGIN SOLUTION
    eps = model(x_t, torch.full((x_t.shape[0],), t, dtype=torch.long, device=x_t.device))
    beta, alpha, alpha_bar = schedule.betas[t], schedule.alphas[t], schedule.alpha_bars[t]
    mean = (x_t - beta / (1.0 - alpha_bar).sqrt() * eps) / alpha.sqrt()
    if t == 1:
        return mean
    variance = (1.0 - schedule.alpha_bars[t - 1]) / (1.0 - alpha_bar) * beta
    return mean + variance.sqrt() * noise
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "p_step__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    # T = 2 with betas 0.2, 0.5: alphas 0.8, 0.5 and alpha_bars 0.8, 0.4. A model that always guesses eps = 0.5.
    _s = Schedule(torch.tensor([0.0, 0.2, 0.5]), alpha_bars=torch.tensor([1.0, 0.8, 0.4]))
    _calls = []

    def _half(x_t, t):
        _calls.append(t.detach().clone())
        return torch.full_like(x_t, 0.5)

    _x = torch.tensor([[1.0, -2.0], [0.0, 3.0]])
    _noise = torch.tensor([[1.0, 1.0], [-1.0, 2.0]])
    # t = 2: mean = (x - 0.5 / sqrt(0.6) * 0.5) / sqrt(0.5), variance (1 - 0.8) / (1 - 0.4) * 0.5 = 1/6
    _mean2 = (_x - 0.5 / math.sqrt(0.6) * 0.5) / math.sqrt(0.5)
    _got = p_sample_step(_half, _x, 2, _s, _noise)
    check_shape(_got, (2, 2), "p_sample_step at t = 2")
    check_true(len(_calls) == 1 and _calls[0].tolist() == [2, 2] and _calls[0].dtype == torch.long,
               "the t given to the model",
               f"expected one call with t = [2, 2] of dtype int64, got {[(c.tolist(), c.dtype) for c in _calls]}",
               hint="call the model once, with torch.full((B,), t, dtype=torch.long, device=x_t.device)")
    check_allclose(p_sample_step(_half, _x, 2, _s, torch.zeros(2, 2)), _mean2, "p_sample_step at t = 2 with noise 0",
                   atol=1e-5, hint="mean = (x_t - beta_t / sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_t): subtract the "
                                   "noise guess, divide by sqrt(alpha_t) of this step (not alpha_bar_t)")
    check_allclose(_got, _mean2 + math.sqrt(1 / 6) * _noise, "p_sample_step at t = 2", atol=1e-5,
                   hint="sigma_t^2 = (1 - alpha_bar_(t-1)) / (1 - alpha_bar_t) * beta_t, the posterior variance; "
                        "add sigma_t * noise")
    # t = 1: the mean only, (x - 0.2 / sqrt(0.2) * 0.5) / sqrt(0.8), whatever the noise
    check_allclose(p_sample_step(_half, _x, 1, _s, _noise), (_x - 0.2 / math.sqrt(0.2) * 0.5) / math.sqrt(0.8),
                   "p_sample_step at t = 1", atol=1e-5, hint="the last step adds no noise: return the mean")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    _T = 30
    _betas = torch.linspace(0.005, 0.25, _T + 1, dtype=torch.float64)
    _betas[0] = 0.0
    _ab = torch.cumprod(1 - _betas, 0)
    _s = Schedule(_betas, alpha_bars=_ab)
    _g = torch.Generator().manual_seed(8)

    def _model(x_t, t):   # a guess that depends on x_t and on t
        return torch.tanh(x_t) * (0.3 + t.to(x_t.dtype).reshape(-1, *([1] * (x_t.dim() - 1))) / _T)

    # (a) the formula in float64 at several t, for points and for images
    for _shape in ((5, 3), (2, 1, 4, 4)):
        _x = torch.randn(*_shape, generator=_g, dtype=torch.float64)
        _z = torch.randn(*_shape, generator=_g, dtype=torch.float64)
        for _t in (1, 2, 7, 29, 30):
            _tt = torch.full((_shape[0],), _t)
            _mean = (_x - _betas[_t] / (1 - _ab[_t]).sqrt() * _model(_x, _tt)) / (1 - _betas[_t]).sqrt()
            _var = (1 - _ab[_t - 1]) / (1 - _ab[_t]) * _betas[_t]
            check_allclose(p_sample_step(_model, _x, _t, _s, _z), _mean + _var.sqrt() * _z,
                           f"p_sample_step at t = {_t} (shape {_shape})", atol=1e-12, rtol=1e-12)
    # (b) over many draws of the noise, x_(t-1) has mean mu_theta and variance tilde beta_t (not beta_t)
    _x = torch.full((100_000, 1), 0.7, dtype=torch.float64)
    _out = p_sample_step(_model, _x, 2, _s, torch.randn(100_000, 1, generator=_g, dtype=torch.float64))
    _var = float((1 - _ab[1]) / (1 - _ab[2]) * _betas[2])
    check_close(_out.var(), _var, "variance of x_1 over 100 000 noise draws at t = 2", atol=0.05 * _var, rtol=0,
                hint="sigma_t^2 is the posterior variance (1 - alpha_bar_(t-1)) / (1 - alpha_bar_t) * beta_t")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 9. Task: the DDPM sampler (1 + 1 points)
#
# **Implement** `ddpm_sample(model, shape, schedule)`:
#
# * **In:** `model`; `shape`, the shape of the batch to draw, e.g. `(1000, 2)`; `schedule`.
# * **Out:** a batch $x_0$ of that shape, on the device and in the dtype of `schedule.betas`, without gradient history (`requires_grad` is False, even for a model with parameters).
# * **How:** start from $x_T \sim \mathcal N(0, I)$ (`torch.randn(shape, device=..., dtype=...)`) and apply your `p_sample_step` for $t = T, T - 1, \dots, 1$, with fresh noise `torch.randn_like(x)` at every step. That is $T$ calls of the model, the last one at $t = 1$. Wrap the loop in `torch.no_grad()`: sampling needs no gradients, and keeping the graph of 100 or 500 steps would cost memory.

# %% nbgrader={"grade": false, "grade_id": "ddpm__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def ddpm_sample(model, shape, schedule):
    """Ancestral sampling: x_T ~ N(0, I), then p_sample_step for t = T, ..., 1; returns x_0."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        x = torch.randn(shape, device=schedule.betas.device, dtype=schedule.betas.dtype)
        for t in range(schedule.T, 0, -1):
            x = p_sample_step(model, x, t, schedule, torch.randn_like(x))
    return x
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ddpm__tests", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _ts, _first = [], []

    def _zero(x_t, t):
        """Guesses no noise; records the steps it is called at and the batch it starts from."""
        if not _ts:
            _first.append(x_t.clone())
        _ts.append(int(t[0]))
        return torch.zeros_like(x_t)

    _s = Schedule(torch.tensor([0.0, 0.1, 0.2, 0.3, 0.4, 0.5]),
                  alpha_bars=torch.tensor([1.0, 0.9, 0.72, 0.504, 0.3024, 0.1512]))
    _x = ddpm_sample(_zero, (2000, 2), _s)
    check_shape(_x, (2000, 2), "ddpm_sample(model, (2000, 2), schedule)")
    check_true(_ts == [5, 4, 3, 2, 1], "the steps the model was called at",
               f"expected t = 5, 4, 3, 2, 1 (T calls, the last at t = 1), got {_ts}",
               hint="loop over range(T, 0, -1): from T down to 1 inclusive")
    check_close(_first[0].std(), 1.0, "the standard deviation of x_T", atol=0.05,
                hint="start from x_T ~ N(0, I): torch.randn(shape, ...)")
    # With a guess of 0 every step is x_(t-1) = x_t / sqrt(alpha_t) + sigma_t z, so the variance of the result
    # follows from V_T = 1 and V <- V / alpha_t + sigma_t^2 (sigma_1 = 0): V_0 = 8.85, a standard deviation of 2.98.
    _v = 1.0
    for _t in range(5, 0, -1):
        _sigma2 = (1 - float(_s.alpha_bars[_t - 1])) / (1 - float(_s.alpha_bars[_t])) * float(_s.betas[_t])
        _v = _v / float(_s.alphas[_t]) + _sigma2
    check_close(_x.std(), math.sqrt(_v), "the standard deviation of 2000 samples of a model that guesses 0",
                atol=0, rtol=0.07, hint="fresh noise torch.randn_like(x) at every step: not zeros, not one draw reused")
    _net = nn.Linear(2, 2)
    _y = ddpm_sample(lambda x_t, t: _net(x_t), (8, 2), _s)
    check_true(not _y.requires_grad, "ddpm_sample with a model that has parameters",
               "returned a tensor that requires grad", hint="sample inside `with torch.no_grad():`")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # The exact denoiser of data N(m, v) in 1-D is E[eps | x_t] = c_t (x_t - sqrt(ab_t) m) with
    # c_t = sqrt(1 - ab_t) / (ab_t v + 1 - ab_t). With it every DDPM step is linear in x_t,
    # x_(t-1) = a_t x_t + b_t + sigma_t z, so the samples' mean and variance follow exactly from the recursions
    # M <- a_t M + b_t and V <- a_t^2 V + sigma_t^2, starting from M = 0, V = 1. For m = 2, v = 0.25 and this schedule
    # they give a std of 0.468 (the posterior variance under-disperses a little at coarse steps); sigma_t^2 = beta_t
    # would give 0.509, no noise 0.001. Over 40 000 samples the standard errors are 0.0023 (mean) and 0.0017 (std).
    _T = 100
    _betas = torch.cat([torch.zeros(1, dtype=torch.float64), torch.linspace(1e-3, 0.2, _T, dtype=torch.float64)])
    _ab = torch.cumprod(1 - _betas, 0)
    _s = Schedule(_betas, alpha_bars=_ab)

    def _c(t):
        return (1 - _ab[t]).sqrt() / (_ab[t] * 0.25 + 1 - _ab[t])

    def _exact(x_t, t):
        return _c(t).reshape(-1, 1) * (x_t - _ab[t].reshape(-1, 1).sqrt() * 2.0)

    _M, _V = 0.0, 1.0
    for _t in range(_T, 0, -1):
        _k = _betas[_t] / (1 - _ab[_t]).sqrt()
        _a = (1 - _k * _c(_t)) / (1 - _betas[_t]).sqrt()
        _M = float(_a * _M + _k * _c(_t) * _ab[_t].sqrt() * 2.0 / (1 - _betas[_t]).sqrt())
        _V = float(_a ** 2 * _V + ((1 - _ab[_t - 1]) / (1 - _ab[_t]) * _betas[_t] if _t > 1 else 0.0))
    torch.manual_seed(1000 + SEED)
    _x = ddpm_sample(_exact, (40_000, 1), _s)
    check_true(_x.dtype == torch.float64, "ddpm_sample with a float64 schedule", f"returned {_x.dtype}")
    check_close(_x.mean(), _M, "mean of 40 000 DDPM samples of N(2, 0.5^2) with the exact denoiser", atol=0.01,
                rtol=0)
    check_close(_x.std(), math.sqrt(_V), "std of 40 000 DDPM samples of N(2, 0.5^2) with the exact denoiser",
                atol=0.008, rtol=0,
                hint="fresh noise at every step t > 1 (p_sample_step with torch.randn_like(x)), none at t = 1")
    # The procedure, step by step, with a model that guesses 0 and records what it is given: each step must be
    # x_(t-1) = x_t / sqrt(alpha_t) + sigma_t z with fresh noise z, independent of the other steps and of the other
    # coordinates, and no noise at t = 1; the start x_T must be new on every call.
    _inputs = []

    def _record(x_t, t):
        _inputs.append(x_t.clone())
        return torch.zeros_like(x_t)

    _T10 = 10
    _b10 = torch.cat([torch.zeros(1, dtype=torch.float64), torch.linspace(0.05, 0.4, _T10, dtype=torch.float64)])
    _ab10 = torch.cumprod(1 - _b10, 0)
    _s10 = Schedule(_b10, alpha_bars=_ab10)
    _out = ddpm_sample(_record, (4000, 2), _s10)
    _starts = [_inputs[0]]
    check_true(len(_inputs) == _T10, "ddpm_sample", f"expected {_T10} calls of the model, got {len(_inputs)}")
    _chain = _inputs + [_out]
    _previous = None
    for _k, _t in enumerate(range(_T10, 0, -1)):
        _r = _chain[_k + 1] - _chain[_k] / (1 - _b10[_t]).sqrt()   # the noise the step added, sigma_t z
        _sigma = float(((1 - _ab10[_t - 1]) / (1 - _ab10[_t]) * _b10[_t]).sqrt())
        if _t == 1:
            check_true(float(_r.abs().max()) < 1e-9, "the last step (t = 1) of ddpm_sample", "added noise",
                       hint="p_sample_step returns the mean at t = 1")
            continue
        check_close(_r.std() / _sigma, 1.0, f"the noise added at t = {_t}, in units of sigma_t", atol=0.05, rtol=0,
                    hint="fresh standard normal noise at every step t > 1")
        _c = float(torch.corrcoef(torch.stack([_r[:, 0], _r[:, 1]]))[0, 1])
        check_true(abs(_c) < 0.1, f"the noise added at t = {_t}", f"its two coordinates are correlated ({_c:.2f})",
                   hint="torch.randn_like(x): one independent value per entry")
        if _previous is not None:
            _c = float(torch.corrcoef(torch.stack([_r.flatten(), _previous.flatten()]))[0, 1])
            check_true(abs(_c) < 0.1, f"the noise added at t = {_t} and at t = {_t + 1}",
                       f"are correlated ({_c:.2f})", hint="draw new noise at every step")
        _previous = _r
    _inputs.clear()
    ddpm_sample(_record, (4000, 2), _s10)
    check_true(not torch.equal(_inputs[0], _starts[0]), "two calls of ddpm_sample", "started from the same x_T",
               hint="draw x_T anew on every call, from the global random state")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 10. Task: a deterministic sampler with fewer steps, DDIM (2 points)
#
# DDPM needs all $T$ steps, one network call each. Song, Meng and Ermon (2021) noticed that the training loss only ever looked at the marginals $q(x_t \mid x_0)$, never at how consecutive steps are coupled; so the same trained network also serves other reverse processes with the same marginals, among them a **deterministic** one that may skip steps. At a step $t$, the network's guess of the noise gives a guess of the clean data,
#
# $$
# \hat x_0 = \frac{x_t - \sqrt{1 - \bar\alpha_t}\ \varepsilon_\theta(x_t, t)}{\sqrt{\bar\alpha_t}},
# $$
#
# (the closed form of section 1 solved for $x_0$), and the next, less noisy point at an earlier step $s < t$ is put together from this guess and the **same** noise guess, with the coefficients that $q(x_s \mid x_0)$ prescribes:
#
# $$
# x_s = \sqrt{\bar\alpha_s}\ \hat x_0 + \sqrt{1 - \bar\alpha_s}\ \varepsilon_\theta(x_t, t).
# $$
#
# No fresh noise enters, so the map from $x_T$ to $x_0$ is a deterministic function: the same $x_T$ always gives the same sample. We walk along a decreasing subsequence of steps, for example the 20 steps $100, 95, 90, 84, \dots, 11, 6, 1$ that `ddim_timesteps(100, 20)` makes, and finish with $s = 0$, where $\bar\alpha_0 = 1$ makes $x_0 = \hat x_0$. (DDIM with all $T$ steps is a discretisation of an ordinary differential equation, the *probability flow*, whose solutions carry $\mathcal N(0, I)$ to the data distribution.)
#
# **Implement** `ddim_sample(model, x_T, schedule, timesteps)`:
#
# * **In:** `model`; `x_T`, the starting noise, a batch `[B, ...]` (do not change it in place: the caller may reuse it); `schedule`; `timesteps`, a strictly decreasing list of Python ints in $\{1, \dots, T\}$ (`ddim_timesteps(T, n)` below makes one; it need not start at $T$ or end at 1).
# * **Out:** $x_0$, of the shape of `x_T`, without gradient history (`requires_grad` is False).
# * **How:** for each $t$ in `timesteps`, with $s$ the **next entry of the sequence** (0 after the last one), call the model once at $t$ and move from $x_t$ to $x_s$ with the two formulas above. Not to $t - 1$: the step skips to the next listed timestep. Use `torch.no_grad()`.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "ddim_steps", "locked": true, "schema_version": 3, "solution": false, "task": false}
def ddim_timesteps(T, n):
    """n timesteps (fewer if rounding merges some) spread evenly from T down to 1, as a strictly decreasing list."""
    return sorted({int(v) for v in torch.linspace(T, 1, n).round()}, reverse=True)


print(ddim_timesteps(100, 20))


# %% nbgrader={"grade": false, "grade_id": "ddim__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def ddim_sample(model, x_T, schedule, timesteps):
    """Deterministic DDIM sampling along the decreasing timesteps, then to t = 0; returns x_0."""
    ### BEGIN SOLUTION
    steps = list(timesteps) + [0]
    x = x_T
    with torch.no_grad():
        for t, s in zip(steps[:-1], steps[1:]):
            eps = model(x, torch.full((x.shape[0],), t, dtype=torch.long, device=x.device))
            x0_hat = (x - (1.0 - schedule.alpha_bars[t]).sqrt() * eps) / schedule.alpha_bars[t].sqrt()
            x = schedule.alpha_bars[s].sqrt() * x0_hat + (1.0 - schedule.alpha_bars[s]).sqrt() * eps
    return x
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ddim__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    # alpha_bars 1, 0.9, 0.5, 0.2, 0.1 for T = 4, and a model that always guesses eps = 1 and records its t.
    _s = Schedule(torch.tensor([0.0, 0.1, 0.4444, 0.6, 0.5]), alpha_bars=torch.tensor([1.0, 0.9, 0.5, 0.2, 0.1]))
    _ts = []

    def _one(x_t, t):
        _ts.append(t.tolist())
        return torch.ones_like(x_t)

    _xT = torch.tensor([[2.0], [-1.0]])
    _x = ddim_sample(_one, _xT.clone(), _s, [4, 2])
    check_shape(_x, (2, 1), "ddim_sample of 2 points")
    check_true(_ts == [[4, 4], [2, 2]], "the steps the model was called at",
               f"expected t = [4, 4] then [2, 2], got {_ts}", hint="one call per listed timestep, in the given order")
    # t = 4 -> s = 2: x0_hat = (x - sqrt(0.9)) / sqrt(0.1), x_2 = sqrt(0.5) x0_hat + sqrt(0.5);
    # t = 2 -> s = 0: x_0 = (x_2 - sqrt(0.5)) / sqrt(0.5)
    _x2 = math.sqrt(0.5) * (torch.tensor([[2.0], [-1.0]]) - math.sqrt(0.9)) / math.sqrt(0.1) + math.sqrt(0.5)
    check_allclose(_x, (_x2 - math.sqrt(0.5)) / math.sqrt(0.5), "ddim_sample along the timesteps [4, 2]", atol=1e-4,
                   hint="after step t go to the next listed timestep s (0 after the last): "
                        "x_s = sqrt(alpha_bar_s) x0_hat + sqrt(1 - alpha_bar_s) eps, with no fresh noise")
    check_true(torch.equal(ddim_sample(_one, _xT, _s, [4, 2]), _x), "ddim_sample", "two calls gave different results",
               hint="DDIM is deterministic: add no random noise")
    check_true(torch.equal(_xT, torch.tensor([[2.0], [-1.0]])), "x_T after ddim_sample",
               f"was changed to {_xT.tolist()}",
               hint="do not change x_T in place: start with x = x_T and assign new tensors (x = ...)")
    _net = nn.Linear(1, 1)
    check_true(not ddim_sample(lambda x_t, t: _net(x_t), _xT, _s, [4, 2]).requires_grad,
               "ddim_sample with a model that has parameters", "returned a tensor that requires grad",
               hint="sample inside `with torch.no_grad():`")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    _T = 40
    _betas = torch.linspace(0.01, 0.3, _T + 1, dtype=torch.float64)
    _betas[0] = 0.0
    _ab = torch.cumprod(1 - _betas, 0)
    _s = Schedule(_betas, alpha_bars=_ab)
    _g = torch.Generator().manual_seed(4)

    def _model(x_t, t):
        return torch.tanh(x_t) * (0.5 + t.to(x_t.dtype).reshape(-1, *([1] * (x_t.dim() - 1))) / _T)

    # (a) against a plain loop in float64, for points and images and several subsequences
    for _shape, _steps in (((6, 2), [40, 30, 20, 10, 1]), ((3, 1, 4, 4), [37, 12, 5]), ((4, 3), [40]),
                           ((4, 3), list(range(40, 0, -1)))):
        _x = torch.randn(*_shape, generator=_g, dtype=torch.float64)
        _expected = _x.clone()
        for _t, _n in zip(_steps, _steps[1:] + [0]):
            _e = _model(_expected, torch.full((_shape[0],), _t))
            _x0 = (_expected - (1 - _ab[_t]).sqrt() * _e) / _ab[_t].sqrt()
            _expected = _ab[_n].sqrt() * _x0 + (1 - _ab[_n]).sqrt() * _e
        _given = list(_steps)
        check_allclose(ddim_sample(_model, _x, _s, _given), _expected, f"ddim_sample along {_steps[:6]}...",
                       atol=1e-10, rtol=1e-10)
        check_true(_given == _steps, "the timesteps after ddim_sample", f"were changed to {_given[-4:]} at the end",
                   hint="do not append to the caller's list: build a new one, e.g. list(timesteps) + [0]")
    # (b) data at a single point m: the exact denoiser gives x0_hat = m from any x_t, so one step lands on m
    def _point(x_t, t):
        _b = _ab[t].reshape(-1, 1)
        return (x_t - _b.sqrt() * 1.5) / (1 - _b).sqrt()

    check_allclose(ddim_sample(_point, torch.randn(5, 1, generator=_g, dtype=torch.float64), _s, [40, 20]),
                   torch.full((5, 1), 1.5, dtype=torch.float64), "ddim_sample of data at the single point 1.5",
                   atol=1e-9)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# # Part II: the two-Gaussian target
#
# ## 11. Training
#
# The loop is the whole training: Adam with a learning rate that falls linearly from $10^{-3}$ to 0, mini-batches of 256 standardised training points drawn at random, and your `diffusion_loss`. Each iteration is one gradient step on a random $t$ per point, so all noise levels are trained at once.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "train_2d", "locked": true, "schema_version": 3, "solution": false, "task": false}
torch.manual_seed(SEED)
model_2d = Denoiser(2, T_2D)
optimizer_2d = torch.optim.Adam(model_2d.parameters(), lr=1e-3)
# the learning rate falls linearly to 0: late steps fine-tune instead of kicking the network around
decay_2d = torch.optim.lr_scheduler.LambdaLR(optimizer_2d, lambda step: 1 - step / CONFIG["iterations_2d"])
loss_history_2d = []          # the loss of every mini-batch, in order
t_start = time.perf_counter()
for iteration in range(CONFIG["iterations_2d"]):
    batch = x_train_2d[torch.randint(0, len(x_train_2d), (256,))]
    loss = diffusion_loss(model_2d, batch, SCHEDULE_2D)
    optimizer_2d.zero_grad()
    loss.backward()
    optimizer_2d.step()
    decay_2d.step()
    loss_history_2d.append(loss.item())
print(f"{len(loss_history_2d)} steps in {time.perf_counter() - t_start:.1f} s; mean loss of the first 20 "
      f"{np.mean(loss_history_2d[:20]):.3f}, of the last 200 {np.mean(loss_history_2d[-200:]):.3f}")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "loss__trend", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    check_true(len(loss_history_2d) == CONFIG["iterations_2d"], "loss_history_2d",
               f"expected one loss per iteration ({CONFIG['iterations_2d']}), got {len(loss_history_2d)}")
    check_true(all(math.isfinite(_v) and _v >= 0 for _v in loss_history_2d), "loss_history_2d",
               "expected finite non-negative losses (a mean of squares)")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # A network that guesses 0 scores 1 (the mean of eps^2); an untrained one about 1.2. Measured at the grading size
    # over seeds 0-19: the mean of the last 200 losses is 0.152-0.161. Training on noise levels that are too low
    # (alpha_t in place of alpha_bar_t) ends near 0.41, a target other than the noise far higher.
    _first, _last = float(np.mean(loss_history_2d[:20])), float(np.mean(loss_history_2d[-200:]))
    check_true(_last < 0.3, "the training loss of the 2-D denoiser",
               f"expected the mean of the last 200 losses below 0.3 (it started at {_first:.3f}), got {_last:.3f}",
               hint="the target of the loss is the noise, drawn fresh, at a random t per example, noised with "
                    "alpha_bar_t")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 12. Sampling, and the exact $W_1$ to $P$
#
# We draw `EVAL_N` samples with your DDPM sampler (100 network calls) and as many with your DDIM sampler along 20 timesteps (20 calls), map them back to the original coordinates, and measure each set against a fresh sample of $P$ with the exact $W_1$ of assignment 02: the optimal assignment between the two point sets, found by `linear_sum_assignment`. Three reference rows frame the numbers:
#
# * two independent samples of $P$: the $W_1$ of a perfect model is not 0 with finite samples, and this row is that floor;
# * the Gaussian with $P$'s mean and covariance: a single Gaussian cannot have two modes, so it must put mass between them;
# * the WGAN-GP of assignment 02, whose $Q$ was such a Gaussian, fitted with a learned critic. We quote its exact $W_1$ at the end of training from a run of assignment 02's reference solution with seed 0: 2.51 at full size, with 1000 points as here (2.47 at the grading size, with 500 points).
#
# One more effect is worth knowing before reading the numbers. Our sample of $P$ has exactly 500 points in each mode, but the model's samples fall into the modes at random, like coin flips: with 1000 samples, one mode typically receives about 13 more than its share of 500. Each surplus point has to travel about 12 units to the other mode in the optimal assignment, which adds roughly $13 \cdot 12 / 1000 \approx 0.15$ to $W_1$ by chance alone. That is why we use 1000 points and not fewer, and why the hidden test allows for it.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "sample_2d", "locked": true, "schema_version": 3, "solution": false, "task": false}
def exact_w1(x, y):
    """The exact W1 between two equal-size point clouds: the mean distance of the optimal assignment (assignment 02)."""
    x, y = (torch.as_tensor(a).detach().cpu().double().numpy() for a in (x, y))
    cost = cdist(x, y)
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


EVAL_N = CONFIG["eval_n"]
WGAN_GP_W1 = 2.51      # assignment 02's reference solution, seed 0, full size, 1000 points
_g = torch.Generator().manual_seed(99)
x_eval = sample_p(EVAL_N, generator=_g)              # a fixed evaluation sample of P
model_2d.eval()
torch.manual_seed(SEED + 1)
t_start = time.perf_counter()
samples_ddpm = ddpm_sample(model_2d, (EVAL_N, 2), SCHEDULE_2D) * DATA_STD + DATA_MEAN
t_ddpm = time.perf_counter() - t_start
t_start = time.perf_counter()
samples_ddim = (ddim_sample(model_2d, torch.randn(EVAL_N, 2), SCHEDULE_2D, ddim_timesteps(T_2D, 20)) * DATA_STD
                + DATA_MEAN)
t_ddim = time.perf_counter() - t_start
for name, points in (("DDPM", samples_ddpm), ("DDIM", samples_ddim)):
    check_true(bool(torch.isfinite(points).all()), f"the {name} samples", "some are NaN or infinite",
               hint="a division by zero in a step? sqrt(1 - alpha_bar_t) and sqrt(alpha_t) must be positive for t >= 1")
moment_matched = torch.distributions.MultivariateNormal(x_data.mean(0), torch.cov(x_data.T)).sample((EVAL_N,))
w1_ddpm = exact_w1(x_eval, samples_ddpm)
w1_table = {
    "another sample of P (the floor)": exact_w1(x_eval, sample_p(EVAL_N, generator=_g)),
    f"diffusion, DDPM ({T_2D} steps, {t_ddpm:.2f} s)": w1_ddpm,
    f"diffusion, DDIM (20 steps, {t_ddim:.2f} s)": exact_w1(x_eval, samples_ddim),
    "Gaussian with P's mean and covariance": exact_w1(x_eval, moment_matched),
    "WGAN-GP of assignment 02 (quoted)": WGAN_GP_W1,
}
print(f"exact W1 to {EVAL_N} fresh points of P:")
for name, value in w1_table.items():
    print(f"  {name:<42}{value:7.3f}")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ddpm__trend", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    check_shape(samples_ddpm, (EVAL_N, 2), "samples_ddpm")
    check_true(bool(torch.isfinite(samples_ddpm).all()), "samples_ddpm", "expected finite samples")
    check_true(w1_ddpm < 1.0, "the exact W1 of your DDPM samples in the table",
               f"expected below 1.0 (two samples of P: about 0.2; one Gaussian: about 2.5), got {w1_ddpm:.3f}",
               hint="are the samples in both modes, with about the right spread? Check the figures below, the loss, "
                    "the reverse step and the sampler")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # 1000 fresh DDPM samples of the trained model against 1000 fresh points of P, with our own exact W1. Measured
    # at the grading size over seeds 0-19: 0.24-0.56, mean 0.38 (two samples of P: about 0.21; the Gaussian with P's
    # moments: 2.4-2.7). The threshold 0.8 leaves room for every seed and still requires both modes with about the
    # right spread: a sampler without noise lands near 4, one that reuses its noise near 8.
    torch.manual_seed(2000 + SEED)
    _x = ddpm_sample(model_2d, (1000, 2), SCHEDULE_2D) * DATA_STD + DATA_MEAN
    _p = sample_p(1000, generator=torch.Generator().manual_seed(3000 + SEED)).double().numpy()
    _cost = cdist(_x.detach().double().numpy(), _p)
    _rows, _cols = linear_sum_assignment(_cost)
    _w1 = float(_cost[_rows, _cols].mean())
    check_true(_w1 < 0.8, "exact W1 between 1000 DDPM samples and 1000 points of P",
               f"expected below 0.8, got {_w1:.3f}",
               hint="check the reverse step (sign, alpha vs alpha_bar, posterior variance) and the sampler's loop")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### Samples along the reverse trajectory
#
# The same reverse chain as `ddpm_sample`, written out so that we can keep snapshots: 1000 points at a few $t$, in the original coordinates. Read the rows from left to right: the cloud of pure noise splits into two, and the two halves contract onto the modes in the last few steps.

# %%
torch.manual_seed(SEED + 2)
keep = {100, 60, 30, 15, 5, 0}
with torch.no_grad():
    x = torch.randn(1000, 2)
    trajectory = {T_2D: x}
    for t in range(T_2D, 0, -1):
        x = p_sample_step(model_2d, x, t, SCHEDULE_2D, torch.randn_like(x))
        if t - 1 in keep:
            trajectory[t - 1] = x
fig, axes = plt.subplots(1, len(keep), figsize=(3 * len(keep), 3.2), sharex=True, sharey=True)
for ax, t in zip(axes, sorted(keep, reverse=True)):
    points = trajectory[t] * DATA_STD + DATA_MEAN
    ax.scatter(x_data[::2, 0], x_data[::2, 1], s=2, color="grey", alpha=0.3)
    ax.scatter(points[:, 0], points[:, 1], s=2, color="C2", alpha=0.6)
    ax.set_title(f"t = {t}")
    ax.set_aspect("equal")
plt.suptitle("The reverse chain (green) over the training data (grey), in the original coordinates")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### The learned score field
#
# Section 5 said that the network has learned the score of every noised version of the data: $s_\theta(x, t) = -\varepsilon_\theta(x, t) / \sqrt{1 - \bar\alpha_t}$. The arrows show its direction on a grid, in the original coordinates (the chain rule divides the standardised score by `DATA_STD`), and the colour its length on a log scale. At a large $t$ the noised data are one broad cloud, and every arrow points to its centre. At small $t$ the field splits: a ridge between the modes, where the arrows turn away from each other, and arrows that grow long away from the data, where $p_t$ is tiny and its logarithm steep.

# %%
grid_x, grid_y = torch.meshgrid(torch.linspace(-10, 9, 24), torch.linspace(-10, 8, 23), indexing="xy")
grid = torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1)
fig, axes = plt.subplots(1, 3, figsize=(16, 5), sharex=True, sharey=True)
for ax, t in zip(axes, (60, 20, 3)):
    with torch.no_grad():
        eps = model_2d((grid - DATA_MEAN) / DATA_STD, torch.full((len(grid),), t))
        score = -eps / (1 - SCHEDULE_2D.alpha_bars[t]).sqrt() / DATA_STD
    length = score.norm(dim=1)
    ax.scatter(x_data[::4, 0], x_data[::4, 1], s=2, color="grey", alpha=0.3)
    arrows = ax.quiver(grid[:, 0], grid[:, 1], score[:, 0] / length, score[:, 1] / length, torch.log10(length),
                       cmap="viridis", scale=30, width=0.004)
    fig.colorbar(arrows, ax=ax, shrink=0.8, label="log10 of the score's length")
    ax.set_title(f"score direction at t = {t} (" + r"$\bar\alpha_t$" + f" = {SCHEDULE_2D.alpha_bars[t]:.2f})")
    ax.set_aspect("equal")
plt.tight_layout()
plt.show()

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), sharex=True, sharey=True)
for ax, (name, points, color) in zip(axes, [("DDPM samples", samples_ddpm, "C2"), ("DDIM samples", samples_ddim, "C4"),
                                            ("Gaussian with P's moments", moment_matched, "C1")]):
    ax.scatter(x_eval[:, 0], x_eval[:, 1], s=3, color="grey", alpha=0.4, label="P")
    ax.scatter(points[:, 0], points[:, 1], s=3, color=color, alpha=0.6, label=name)
    ax.set_title(f"{name}: exact $W_1$ = {exact_w1(x_eval, points):.2f}")
    ax.legend(loc="upper left", markerscale=3)
    ax.set_aspect("equal")
plt.tight_layout()
plt.show()


# %% [markdown]
# # Part III: MNIST
#
# ## 13. The same model on images
#
# Nothing in your functions knows about 2-D points: `q_sample` broadcasts over any shape, the loss averages over all entries, and the samplers take any batch shape. For images we map the pixels from $[0, 1]$ to $[-1, 1]$ (the noise's scale, as the standardisation did in 2-D), take $T = 500$ steps of the linear schedule with both ends doubled ($\beta$ from $2 \cdot 10^{-4}$ to $0.04$), and use the same `Denoiser` with 512 hidden units and a 64-dimensional time embedding on the flattened images, trained with Adam at a learning rate that falls linearly from $2 \cdot 10^{-3}$ to 0. As in assignment 05, the training images stay on the device and mini-batches are taken by indexing. At the grading size we train on 6000 images for 5 epochs, a few seconds on one CPU thread; at full size on all 60 000 for 30 epochs.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "train_mnist", "locked": true, "schema_version": 3, "solution": false, "task": false}
mnist_images, mnist_labels = load_mnist("train", device=DEVICE)   # [60000, 1, 28, 28] in [0, 1]
test_images, test_labels = load_mnist("test", device=DEVICE)
N_TRAIN = CONFIG["n_train"]
subset = torch.randperm(len(mnist_images), generator=torch.Generator().manual_seed(SEED))[:N_TRAIN].to(DEVICE)
train_images = mnist_images[subset] * 2 - 1                       # in [-1, 1]

T_MNIST, BATCH = 500, 128
SCHEDULE_MNIST = Schedule(linear_betas(T_MNIST, 2e-4, 0.04)).to(DEVICE)
torch.manual_seed(SEED)
model_mnist = Denoiser(28 * 28, T_MNIST, hidden=512, embedding=64).to(DEVICE)
optimizer_mnist = torch.optim.Adam(model_mnist.parameters(), lr=2e-3)
n_steps_mnist = CONFIG["mnist_epochs"] * math.ceil(N_TRAIN / BATCH)
decay_mnist = torch.optim.lr_scheduler.LambdaLR(optimizer_mnist, lambda step: 1 - step / n_steps_mnist)
print(f"MNIST denoiser: {sum(p.numel() for p in model_mnist.parameters())} parameters")
loss_history_mnist = []
t_start = time.perf_counter()
for epoch in range(CONFIG["mnist_epochs"]):
    order = torch.randperm(N_TRAIN, device=DEVICE)
    for start in range(0, N_TRAIN, BATCH):
        loss = diffusion_loss(model_mnist, train_images[order[start:start + BATCH]], SCHEDULE_MNIST)
        optimizer_mnist.zero_grad()
        loss.backward()
        optimizer_mnist.step()
        decay_mnist.step()
        loss_history_mnist.append(loss.item())
    print(f"epoch {epoch + 1}: mean loss {np.mean(loss_history_mnist[-math.ceil(N_TRAIN / BATCH):]):.4f}, "
          f"{time.perf_counter() - t_start:.1f} s")
seconds_per_epoch = (time.perf_counter() - t_start) / CONFIG["mnist_epochs"]
print(f"{len(loss_history_mnist)} steps, {seconds_per_epoch:.2f} s per epoch on {DEVICE}")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "loss__mnist", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _steps = CONFIG["mnist_epochs"] * math.ceil(N_TRAIN / BATCH)
    check_true(len(loss_history_mnist) == _steps, "loss_history_mnist",
               f"expected one loss per mini-batch ({_steps}), got {len(loss_history_mnist)}")
    check_true(all(math.isfinite(_v) and _v >= 0 for _v in loss_history_mnist), "loss_history_mnist",
               "expected finite non-negative losses")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # Measured at the grading size, seeds 0-19: the mean of the last 20 losses is 0.295-0.311 of the mean of the
    # first 10 (about 1.26 -> 0.38). Noising with alpha_t in place of alpha_bar_t leaves it near 0.8.
    _first, _last = float(np.mean(loss_history_mnist[:10])), float(np.mean(loss_history_mnist[-20:]))
    check_true(_last < 0.6 * _first, "the training loss of the MNIST denoiser",
               f"expected the mean of the last 20 losses below 0.6 x the mean of the first 10, got {_last:.3f} vs "
               f"{_first:.3f}", hint="the target of the loss is the noise, at a random t per image")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 14. Samples
#
# First 16 images along the reverse chain of DDPM (all 500 steps), shown at a few $t$: each row is one moment of the chain for all 16 images, from pure noise at the top to the samples at the bottom (pixel values outside $[-1, 1]$ are shown clipped). After a full-size run, structure appears late: for the first half of the chain the images look like noise, the shapes of digits form between about $t = 300$ and $t = 75$, where the signal-to-noise ratio grows quickly, and the last 75 steps mostly sharpen them. After the few seconds of training of the grading size, expect no digits: the denoiser's errors are still large, and the chain, which divides by $\sqrt{\alpha_t}$ at each of its 500 steps, amplifies them until many pixels lie far outside $[-1, 1]$.

# %%
torch.manual_seed(SEED + 3)
shown_ts = [500, 300, 150, 75, 30, 10, 0]
model_mnist.eval()
with torch.no_grad():
    x = torch.randn(16, 1, 28, 28, device=DEVICE)
    rows = {T_MNIST: x}
    for t in range(T_MNIST, 0, -1):
        x = p_sample_step(model_mnist, x, t, SCHEDULE_MNIST, torch.randn_like(x))
        if t - 1 in shown_ts:
            rows[t - 1] = x
fig, ax = plt.subplots(figsize=(12, 6))
show_images(torch.cat([((rows[t] + 1) / 2).clamp(0, 1) for t in shown_ts]), nrow=16, ax=ax,
            title="DDPM: rows t = " + ", ".join(str(t) for t in shown_ts))
plt.show()

# %% [markdown]
# ## 15. Scores next to the VAE and the GAN
#
# We score the diffusion model exactly as assignment 05 scored its VAE and GAN: the same small digit classifier, trained with the same seed on the same images (so it is the same classifier as there), asked about 1000 generated images: the fraction it is **confident** about (largest class probability above 0.9) and the **class spread** (the entropy of the histogram of predicted classes over $\log 10$: 1 when all ten digits appear equally often). The VAE and GAN rows are quoted from a run of assignment 05's reference solution with seed 0 at the same run size; the other rows are computed here. The diffusion model is sampled with DDIM along 50 timesteps (50 network calls per image), and with DDPM (500 calls) for a smaller batch at the grading size.

# %%
QUOTED_05 = {   # assignment 05's reference solution, seed 0: (confident, spread) of 1000 samples
    "grading": {"VAE (assignment 05)": (0.098, 0.879), "GAN (assignment 05)": (0.000, 0.301)},
    "full": {"VAE (assignment 05)": (0.511, 0.974), "GAN (assignment 05)": (0.747, 0.952)},
}[SIZE]
n_ddpm = 200 if SIZE == "grading" else 1000
torch.manual_seed(SEED + 4)
with torch.no_grad():
    t_start = time.perf_counter()
    ddim_images = ddim_sample(model_mnist, torch.randn(CONFIG["n_samples"], 1, 28, 28, device=DEVICE), SCHEDULE_MNIST,
                              ddim_timesteps(T_MNIST, 50))
    t_ddim_mnist = time.perf_counter() - t_start
    t_start = time.perf_counter()
    ddpm_images = ddpm_sample(model_mnist, (n_ddpm, 1, 28, 28), SCHEDULE_MNIST)
    t_ddpm_mnist = time.perf_counter() - t_start
print(f"DDIM: {CONFIG['n_samples']} images in {t_ddim_mnist:.1f} s; DDPM: {n_ddpm} images in {t_ddpm_mnist:.1f} s")
sample_sets = {
    "other test images": test_images[1000:2000],
    "diffusion, DDIM (50 steps)": ((ddim_images + 1) / 2).clamp(0, 1),
    f"diffusion, DDPM ({n_ddpm} images)": ((ddpm_images + 1) / 2).clamp(0, 1),
    "uniform noise": torch.rand(1000, 1, 28, 28, device=DEVICE),
}
torch.manual_seed(SEED)
classifier = train_digit_classifier(mnist_images[:CONFIG["classifier_images"]],
                                    mnist_labels[:CONFIG["classifier_images"]], epochs=CONFIG["classifier_epochs"])
print(f"classifier test accuracy {accuracy(classifier, test_images, test_labels):.3f}")
statistics = {name: sample_statistics(predict_proba(classifier, images)) for name, images in sample_sets.items()}
print()
print(f"{'':<32}{'confident':>11}{'class spread':>14}")
for name in sample_sets:
    print(f"{name:<32}{statistics[name]['confident']:>11.3f}{statistics[name]['spread']:>14.3f}")
for name, (confident, spread) in QUOTED_05.items():
    print(f"{name + ' (quoted)':<32}{confident:>11.3f}{spread:>14.3f}")
print()
print(statistics_table({name: statistics[name] for name in sample_sets if name.startswith("diffusion")}))

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 7))
for ax, name in zip(axes, [name for name in sample_sets if name.startswith("diffusion")]):
    show_images(sample_sets[name][:64], nrow=8, ax=ax, title=f"{name}: confident "
                f"{statistics[name]['confident']:.2f}, spread {statistics[name]['spread']:.2f}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### What to look for
#
# **On the two-Gaussian target**, the DDPM samples sit in both modes with about the right spread, and their exact $W_1$ to $P$ is a few tenths above the floor set by two samples of $P$ (at the grading size, over seeds 0 to 19, between about 0.25 and 0.6 against a floor of 0.21). Part of that gap is the chance of the mode counts of section 12. Any single Gaussian pays for the mass it must put between the modes: about 2.5, for the Gaussian with $P$'s moments as for the WGAN-GP of assignment 02. The diffusion model got there with a regression loss and 100 small denoising steps, with no critic to keep in balance. DDIM with 20 deterministic steps is five times cheaper, and on this target clearly worse (about 0.4 to 0.75 at the grading size, 0.51 after a full run with seed 0, where DDPM reached 0.29); try `ddim_timesteps(T_2D, 50)` to see how much more steps buy.
#
# **On MNIST** the comparison is less flattering, and worth understanding. At the grading size nothing here is a digit yet, although the classifier is confident about almost half of the samples, nearly all of them called 3 or 5 (class spread about 0.5): one more reminder that a classifier's confidence is no proof of quality. After a full run (seed 0, 30 epochs on a CPU) the samples are digit-shaped strokes on a speckled background. Their class spread is high (0.92 for DDIM, 0.87 for DDPM, next to 0.97 for the VAE and 0.95 for the GAN): the model does not drop digits. But the classifier is confident about only 34 % of the DDIM samples and 21 % of the DDPM samples, against 51 % for the VAE, 75 % for the GAN, and 32 % for uniform noise, about which a small MLP classifier is oddly sure. Read that last comparison as "speckle makes the classifier hesitate", not as "worse than noise": the grids show digits, the noise row shows none. Our denoiser is a small MLP that sees each image as a list of 784 unrelated numbers; its loss falls slowly (0.48 after the first epoch, 0.11 after the thirtieth), and its remaining errors at the low noise levels, where it must tell stroke from background pixel by pixel, stay in the samples as speckle. The diffusion models of the papers use U-Nets, convolutional networks that know which pixels are neighbours, and many more training steps; the method is the one you wrote, the network is what limits us. Note also the price of a sample: one network call for the VAE or the GAN, 50 for DDIM, 500 for DDPM, which is why DDIM-style samplers matter in practice.
#
# ### What to remember
#
# * The forward process has a closed form at every step: $x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \varepsilon$, with $\bar\alpha_t$ the running **product** of $\alpha_s = 1 - \beta_s$ and a **standard deviation** $\sqrt{1 - \bar\alpha_t}$ in front of the noise.
# * Training is regression: draw a $t$ per example uniformly from $1, \dots, T$ and fresh noise, and predict the noise. This is the ELBO with the per-step weights dropped, and it is denoising score matching: $-\varepsilon_\theta / \sqrt{1 - \bar\alpha_t}$ estimates the score of the noised data.
# * A DDPM step subtracts the scaled noise guess, divides by $\sqrt{\alpha_t}$ of that step, and adds $\sqrt{\tilde\beta_t}\, z$, except at the last step. DDIM reuses the same network deterministically along a subsequence of steps: fewer network calls, the same $x_T$ always gives the same sample.
# * A diffusion model is trained without an adversary and covers both modes of a target that no single Gaussian can fit; its price is many network calls per sample, and on images its quality depends heavily on the denoising network.
