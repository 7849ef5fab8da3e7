# ---
# jupyter:
#   dgmcourse_sync:
#     cells: 7c08fd9e5ca5a28b
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
# # Assignment 3: Variational inference, from constrained to unconstrained space
#
# In Bayesian inference we want the posterior $p(\theta \mid \mathcal{D})$ over the unknowns $\theta$ of a model after seeing data $\mathcal{D}$. For almost every interesting model this posterior has no closed form. **Variational inference (VI)** turns the problem into optimisation: pick a simple family of distributions $q_\phi$ (for example, Gaussians with parameters $\phi = (\mu, \sigma)$) and search for the member closest to the posterior, measured by a Kullback–Leibler divergence.
#
# There is a catch. A Gaussian lives on the whole real line, but many unknowns do not: a probability lies in $[0, 1]$, a standard deviation or a rate is positive, a parameter may be known to lie between two bounds. Gradient-based optimisers also take their steps in $\mathbb{R}$ and know nothing about those boundaries. The standard fix, used by Stan, Pyro and NumPyro, is to **move every constrained variable to $\mathbb{R}$ with a bijection** and to do all the work there. This notebook builds that machinery from the ground up and uses it on the smallest Bayesian model there is, a coin.
#
# By the end you will be able to
#
# 1. explain why a density with a bounded support is awkward for gradient methods, and move it to $\mathbb{R}$ with `torch.distributions.transform_to` and the change-of-variables formula;
# 2. compute a KL divergence by numerical integration (quadrature) and by Monte Carlo, handle $0 \log 0$ correctly, and see the $1/\sqrt{N}$ error of Monte Carlo;
# 3. explain why minimising $\mathrm{KL}(q\,\|\,p)$ is *mode-seeking* and minimising $\mathrm{KL}(p\,\|\,q)$ is *mass-covering*, and why the latter matches moments;
# 4. derive the evidence lower bound (ELBO) and check $\text{ELBO} + \mathrm{KL}(q\,\|\,\text{posterior}) = \log p(\mathcal{D})$ numerically;
# 5. maximise the ELBO with reparameterised gradients and Adam, and get the same answer from Pyro's `SVI` with an `AutoNormal` guide.
#
# All problems here are one-dimensional, so everything runs on the CPU; no GPU is needed.
#
# ### How this notebook is graded
#
# * You write code only in the cells that contain `# YOUR CODE HERE` followed by `raise NotImplementedError(...)`. Replace those lines with your solution (running them first only tells you to do so); keep the function names and signatures as given.
# * Each task is followed by **graded test cells** (read-only). They contain *visible checks* that you can run yourself, and **hidden tests** that are added when we grade. The hidden tests try other inputs (other distributions, other data, other shapes). A test cell earns all of its points if it runs without an error and none if it raises. The checks sit inside a function, `__test_cell__`, which the cell calls and then deletes: they leave your variables untouched, whatever you named them.
# * There are 17 points in total: `lp_transformed` 2 + 1, `kl_quadrature` 2 + 1, `kl_monte_carlo` 2 + 1, `coin_elbo` 2 + 1, `coin_log_evidence` 2, `elbo_adam` 2 + 1.
# * Before you submit, **restart the kernel and run all cells from top to bottom**. The grader does exactly that, with a fresh kernel, on a CPU, with shorter optimisation runs (`run_size()` returns `'grading'` there). The reference solution, kernel start included, uses about 17 seconds of CPU time at full size and a little less at grading size; on a 2-core CPU that was also busy with two other jobs, the full-size run took 25 to 40 seconds of wall-clock time. Please do not make the graded functions slower than they need to be: vectorise, no Python loops over grid points.
# * The grader may set the environment variable `DGMCOURSE_SEED` to a different value; your code must not depend on a particular seed, and it must not reseed the random number generators itself. Do not add, delete or copy cells.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import math

import matplotlib.pyplot as plt
import numpy as np
import pyro
import pyro.distributions as pdist
import torch
import torch.distributions as dist
import torch.nn.functional as F
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal
from scipy import optimize

from dgmcourse import cpu_threads_for, run_size, seed_everything
from dgmcourse.student.checks import (check_allclose, check_close, check_python_float,
                                      check_scalar_tensor, check_shape, check_true)
from dgmcourse.student.plots import use_course_style

SEED = seed_everything()   # seeds Python, NumPy, torch and Pyro from $DGMCOURSE_SEED (default 0)
SIZE = run_size()          # 'full' normally, 'grading' when the autograder runs (shorter runs)
# One CPU thread: our tensors hold a few thousand numbers, too few to split over threads with profit. On a 2-core
# machine where two other processes were busy, the full run took 18 s with one thread and 115 s with torch's default
# two, whose threads wait for each other.
THREADS = cpu_threads_for()
use_course_style()
print(f"seed = {SEED}, size = {SIZE}, torch {torch.__version__}, pyro {pyro.__version__}")


# %% [markdown]
# ## 1. Why constrained supports break gradient methods
#
# Take the Beta(2, 2) distribution. Its density is
#
# $$
# p(x) = \frac{x (1 - x)}{B(2, 2)} = 6\, x (1 - x) \quad \text{for } 0 \le x \le 1, \qquad p(x) = 0 \text{ otherwise}.
# $$
#
# Gradient-based methods (gradient ascent to find a mode, Langevin or Hamiltonian Monte Carlo, and the reparameterised VI we build in section 11) need the *slope* of the density or, almost always, of the **log density**. Look at both:
#
# * the density itself is continuous, but its derivative **jumps** at the edges of the support: $p'(x) = 6 - 12x$ inside, so $p'$ goes from $0$ to $6$ at $x = 0$ and from $-6$ to $0$ at $x = 1$;
# * the log density $\log p(x) = \log 6 + \log x + \log(1 - x)$ has slope $\frac{1}{x} - \frac{1}{1 - x}$, which **blows up** near the edges and is undefined outside $[0, 1]$, where $\log p = -\infty$.
#
# The cell below evaluates all three on a grid over $[-1, 2]$ with autograd. The helper returns what it says: `density_slope` is $\frac{dp}{dx}$ and `log_density_slope` is $\frac{d \log p}{dx}$ (NaN outside the support, where the log density is $-\infty$). Outside the support we must not even call `log_prob` on the raw value (it returns NaN or raises), so we evaluate it at a safe point and mask the result.

# %%
def density_and_slopes(d, xs, low, high):
    """p(x), dp/dx and d log p(x)/dx on the points xs for a 1-D distribution d with support (low, high).

    Outside the support the density and its slope are 0 and the slope of the log density is NaN.
    """
    xs = xs.detach().clone().requires_grad_(True)
    inside = (xs > low) & (xs < high)
    safe_xs = torch.where(inside, xs, torch.full_like(xs, (low + high) / 2))   # keeps log_prob finite
    log_p = d.log_prob(safe_xs)
    density = torch.where(inside, log_p.exp(), torch.zeros_like(log_p))
    # each output depends on its own input only, so the gradient of the sum holds the elementwise slopes
    (density_slope,) = torch.autograd.grad(density.sum(), xs, retain_graph=True)
    (log_density_slope,) = torch.autograd.grad(log_p.sum(), xs)
    log_density_slope = torch.where(inside, log_density_slope, torch.full_like(xs, float("nan")))
    return density.detach(), density_slope, log_density_slope


beta22 = dist.Beta(2.0, 2.0)
xs_beta = torch.linspace(-1.0, 2.0, 600)   # 600 points: 0 and 1 are not grid points
density, density_slope, log_density_slope = density_and_slopes(beta22, xs_beta, 0.0, 1.0)

fig, axes = plt.subplots(1, 3, figsize=(15, 4))
axes[0].plot(xs_beta, density)
axes[0].set_title("density $p(x)$ of Beta(2, 2)")
axes[1].plot(xs_beta, density_slope)
axes[1].set_title("derivative of the density $dp/dx$")
axes[2].plot(xs_beta, log_density_slope)
axes[2].set_ylim(-30, 30)
axes[2].set_title(r"derivative of the log density $d \log p / dx$")
for ax in axes:
    ax.axvline(0.0, color="grey", linestyle=":")
    ax.axvline(1.0, color="grey", linestyle=":")
    ax.set_xlabel("$x$")
plt.tight_layout()
plt.show()

# %% [markdown]
# The middle panel shows the jumps of $p'$ at $x = 0$ and $x = 1$, the right panel the exploding slope of $\log p$. What this means for an optimiser: start gradient ascent on $\log p$ at $x_0 = 0.05$, close to the left edge, with step size $0.1$. The slope there is $\frac{1}{0.05} - \frac{1}{0.95} \approx 18.9$, so one step lands at $x_1 \approx 1.95$, **outside the support**, where the log density is not even defined.

# %%
beta22_unchecked = dist.Beta(2.0, 2.0, validate_args=False)   # returns NaN instead of raising outside [0, 1]
x0 = torch.tensor(0.05, requires_grad=True)
beta22_unchecked.log_prob(x0).backward()
x1 = x0.detach() + 0.1 * x0.grad
print(f"x0 = {x0.item():.3f}, slope of log p = {x0.grad.item():.3f}, x1 = {x1.item():.3f}, "
      f"log p(x1) = {beta22_unchecked.log_prob(x1).item()}")


# %% [markdown]
# We could shrink the step, clip, or project back into $[0, 1]$, but each of these needs care for every constraint separately, and none of them helps a Gaussian variational distribution, which always puts some mass outside $[0, 1]$. The clean solution is to change the variable.
#
# ## 2. Bijections to $\mathbb{R}$ and the change-of-variables formula
#
# Let $X$ be a random variable with density $p_X$ on a constrained set $\mathcal{X}$, and let $T: \mathbb{R} \to \mathcal{X}$ be a smooth bijection (one-to-one and onto) with a smooth inverse. Define the unconstrained variable $Z = T^{-1}(X)$, so that $X = T(Z)$. If $T$ is increasing,
#
# $$
# P(Z \le z) = P\big(X \le T(z)\big) \quad\Longrightarrow\quad p_Z(z) = \frac{d}{dz} P\big(X \le T(z)\big) = p_X\big(T(z)\big)\, T'(z),
# $$
#
# and a decreasing $T$ gives the same with $|T'(z)|$. In logarithms, which is how we always compute:
#
# $$
# \boxed{\;\log p_Z(z) = \log p_X\big(T(z)\big) + \log \left| \frac{dT}{dz}(z) \right|\;}
# $$
#
# The second term, the **log-absolute-determinant of the Jacobian** (in one dimension just $\log |T'(z)|$), accounts for how $T$ stretches or squeezes space: where $T$ squeezes a long stretch of $z$ into a short stretch of $x$, the density of $Z$ must be lower. In several dimensions $|T'|$ becomes $|\det J_T(z)|$. $Z$ has a density on all of $\mathbb{R}$, positive everywhere and (for the maps below) smooth: exactly what gradient methods want.
#
# ### The maps PyTorch chooses
#
# `torch.distributions.transform_to(constraint)` returns a `Transform` object `T` that maps $\mathbb{R}$ onto the set described by `constraint` (every distribution has one: `d.support`). It offers `T(z)`, the inverse `T.inv(x)` and `T.log_abs_det_jacobian(z, x)`, which takes the **input $z$ and the output $x = T(z)$, in this order**. For the three distributions of this section:
#
# | distribution | support | $x = T(z)$ | $z = T^{-1}(x)$ | $\log \lvert T'(z) \rvert$ |
# |---|---|---|---|---|
# | Gamma$(\alpha, \beta)$ | $(0, \infty)$ | $e^{z}$ | $\log x$ | $z$ |
# | Beta$(\alpha, \beta)$ | $(0, 1)$ | $\sigma(z) = \frac{1}{1 + e^{-z}}$ | $\operatorname{logit} x = \log\frac{x}{1-x}$ | $\log \sigma(z) + \log \sigma(-z)$ |
# | Uniform$(a, b)$ | $(a, b)$ | $a + (b - a)\,\sigma(z)$ | $\operatorname{logit}\frac{x - a}{b - a}$ | $\log(b - a) + \log \sigma(z) + \log \sigma(-z)$ |
#
# (using $\sigma'(z) = \sigma(z)\,(1 - \sigma(z)) = \sigma(z)\,\sigma(-z)$). The map for the uniform distribution is a composition: first the sigmoid squeezes $\mathbb{R}$ into $(0, 1)$, then an affine map stretches $(0, 1)$ onto $(a, b)$. PyTorch builds it as `ComposeTransform([SigmoidTransform(), AffineTransform(a, b - a)])`.
#
# Two worked examples. For $X \sim$ Gamma$(2, 1)$, $p_X(x) = x e^{-x}$, so $\log p_Z(z) = \log\big(e^z e^{-e^z}\big) + z = 2z - e^{z}$. For $X \sim$ Uniform$(a, b)$, $\log p_Z(z) = -\log(b-a) + \log(b-a) + \log\sigma(z) + \log\sigma(-z)$: the bounds cancel, and **every** uniform distribution becomes the standard logistic distribution on $\mathbb{R}$.
#
# PyTorch can also build the distribution of $Z$ for you: `dist.TransformedDistribution(d, T.inv)` is the distribution of $T^{-1}(X)$ for $X \sim d$. We use it only to check our own implementation.
#
# ## 3. Task: the log density in unconstrained space (3 points)
#
# **Implement** `lp_transformed(xs, d, transform)`:
#
# * **In:** `xs`, a float tensor of points in $\mathbb{R}$ (any shape); `d`, a distribution with scalar events (a Gamma, Beta, Uniform, LogNormal, ...); `transform`, a `Transform` that maps $\mathbb{R}$ onto the support of `d`, for example `dist.transform_to(d.support)`.
# * **Out:** a tensor of the same shape as `xs` holding $\log p_Z(z) = \log p_X\big(T(z)\big) + \log|T'(z)|$ at every point.
# * **How:** compute $x = T(z)$ once, evaluate `d.log_prob` there, and add `transform.log_abs_det_jacobian(z, x)` (input first, output second). No loops.
# * **Why:** this is the density that VI, HMC and every optimiser in the rest of this notebook actually see.

# %% nbgrader={"grade": false, "grade_id": "lp_transformed__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def lp_transformed(xs, d, transform):
    """Log density of Z = transform^{-1}(X), X ~ d, at the unconstrained points xs.

    Args:
        xs: float tensor of points z in R, any shape.
        d: a torch distribution with scalar events whose support is the image of `transform`.
        transform: a torch.distributions Transform from R onto the support of d (e.g. transform_to(d.support)).

    Returns:
        Tensor of the same shape as xs: log p_X(T(z)) + log |dT/dz (z)|.
    """
    ### BEGIN SOLUTION
    ys = transform(xs)
    return d.log_prob(ys) + transform.log_abs_det_jacobian(xs, ys)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "lp_transformed__values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _gamma = dist.Gamma(2.0, 1.0)
    _z = torch.linspace(-4.0, 3.0, 8)
    _lp = lp_transformed(_z, _gamma, dist.transform_to(_gamma.support))
    check_shape(_lp, (8,), "lp_transformed(z, Gamma(2, 1), transform_to(support))")
    # section 2: for X ~ Gamma(2, 1) and x = e^z, log p_Z(z) = 2z - e^z
    check_allclose(_lp, 2 * _z - _z.exp(), "log density of Z = log X for X ~ Gamma(2, 1)", atol=1e-5, rtol=1e-5,
                   hint="log p_X(T(z)) + transform.log_abs_det_jacobian(z, T(z)); mind the sign and the argument order")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy import special as _special
    from scipy import stats as _stats

    def _log_sig(z):
        return _special.log_expit(z)

    # (distribution, transform, z range, reference log density of Z as a NumPy function of z)
    _cases = [
        ("Gamma(2.5, 1.5)", dist.Gamma(2.5, 1.5), None, (-6.0, 3.0),
         lambda z: _stats.gamma.logpdf(np.exp(z), a=2.5, scale=1 / 1.5) + z),
        ("Beta(2, 3)", dist.Beta(2.0, 3.0), None, (-6.0, 6.0),
         lambda z: _stats.beta.logpdf(_special.expit(z), 2.0, 3.0) + _log_sig(z) + _log_sig(-z)),
        ("Beta(0.5, 0.7)", dist.Beta(0.5, 0.7), None, (-6.0, 6.0),
         lambda z: _stats.beta.logpdf(_special.expit(z), 0.5, 0.7) + _log_sig(z) + _log_sig(-z)),
        # every Uniform(a, b) becomes the standard logistic distribution: log sigma(z) + log sigma(-z)
        ("Uniform(1, 4)", dist.Uniform(1.0, 4.0), None, (-8.0, 8.0), lambda z: _log_sig(z) + _log_sig(-z)),
        ("Uniform(-2, 0.5)", dist.Uniform(-2.0, 0.5), None, (-8.0, 8.0), lambda z: _log_sig(z) + _log_sig(-z)),
        # log of a LogNormal(m, s) variable is Normal(m, s)
        ("LogNormal(0.3, 0.7)", dist.LogNormal(0.3, 0.7), None, (-3.0, 3.5),
         lambda z: _stats.norm.logpdf(z, 0.3, 0.7)),
        # a transform that is not transform_to's choice: x = exp(z / 2), log|T'(z)| = z / 2 - log 2
        ("Gamma(3, 2) with x = exp(z / 2)", dist.Gamma(3.0, 2.0),
         dist.transforms.ComposeTransform([dist.transforms.AffineTransform(0.0, 0.5), dist.transforms.ExpTransform()]),
         (-8.0, 5.0), lambda z: _stats.gamma.logpdf(np.exp(z / 2), a=3.0, scale=0.5) + z / 2 - np.log(2.0)),
    ]
    for _name, _d, _T, (_lo, _hi), _reference in _cases:
        _T = dist.transform_to(_d.support) if _T is None else _T
        _z = torch.linspace(_lo, _hi, 301)
        _got = lp_transformed(_z, _d, _T)
        check_shape(_got, (301,), f"lp_transformed for {_name}")
        _expected_torch = dist.TransformedDistribution(_d, _T.inv).log_prob(_z)
        check_allclose(_got, _expected_torch,
                       f"lp_transformed vs TransformedDistribution(d, T.inv).log_prob for {_name}",
                       atol=1e-4, rtol=1e-4, hint="log p_X(T(z)) + log|T'(z)|: the Jacobian term is added, at (z, "
                                                  "T(z))")
        check_allclose(_got, _reference(_z.double().numpy()), f"lp_transformed vs the closed form for {_name}",
                       atol=2e-4, rtol=1e-4)

    # any shape in, the same shape out
    _z2 = torch.linspace(-3.0, 3.0, 12).reshape(3, 4)
    _beta = dist.Beta(2.0, 5.0)
    _got = lp_transformed(_z2, _beta, dist.transform_to(_beta.support))
    check_shape(_got, (3, 4), "lp_transformed on a (3, 4) tensor")
    check_allclose(_got, dist.TransformedDistribution(_beta, dist.transform_to(_beta.support).inv).log_prob(_z2),
                   "lp_transformed on a (3, 4) tensor for Beta(2, 5)", atol=1e-4, rtol=1e-4)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "lp_transformed__normalised", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _unif = dist.Uniform(1.0, 4.0)
    _z = torch.linspace(-20.0, 20.0, 4001)
    _mass = torch.trapezoid(lp_transformed(_z, _unif, dist.transform_to(_unif.support)).exp(), _z)
    check_close(_mass, 1.0, "integral of exp(lp_transformed) over R for Uniform(1, 4)", atol=1e-3,
                hint="a density in z must integrate to one; without the Jacobian term it does not")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # A density integrates to one. The ranges cover all but a negligible part of each tail of p_Z
    # (Gamma: e^{2.5 z} on the left; Beta(a, b): e^{a z} on the left, e^{-b z} on the right; LogNormal: Normal).
    _cases = [
        ("Gamma(2.5, 1.5)", dist.Gamma(2.5, 1.5), (-12.0, 4.0)),
        ("Gamma(0.8, 3)", dist.Gamma(0.8, 3.0), (-40.0, 3.0)),
        ("Beta(2, 3)", dist.Beta(2.0, 3.0), (-14.0, 10.0)),
        ("Beta(4, 1.5)", dist.Beta(4.0, 1.5), (-8.0, 15.0)),
        ("Uniform(-2, 0.5)", dist.Uniform(-2.0, 0.5), (-22.0, 22.0)),
        ("LogNormal(0.3, 0.7)", dist.LogNormal(0.3, 0.7), (-6.0, 7.0)),
    ]
    for _name, _d, (_lo, _hi) in _cases:
        _z = torch.linspace(_lo, _hi, 8001)
        _lp = lp_transformed(_z, _d, dist.transform_to(_d.support))
        check_shape(_lp, (8001,), f"lp_transformed for {_name} on a grid of 8001 points")
        _mass = float(np.trapezoid(_lp.exp().double().numpy(), _z.double().numpy()))
        check_close(_mass, 1.0, f"integral of exp(lp_transformed) for {_name}", atol=2e-3,
                    hint="p_Z(z) = p_X(T(z)) |T'(z)| integrates to one; check the Jacobian term")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### The three transformed densities
#
# Each row below shows one distribution: the map $x = T(z)$ (left), the density in the constrained space (middle) and the density of $Z = T^{-1}(X)$ computed with your `lp_transformed` (right, solid), on top of PyTorch's `TransformedDistribution` (dashed).

# %%
def density_on_grid(d, xs):
    """p(x) on the grid xs, 0 outside the support (log_prob is only evaluated inside)."""
    inside = d.support.check(xs)
    safe_xs = torch.where(inside, xs, d.mean.expand_as(xs))
    return torch.where(inside, d.log_prob(safe_xs).exp(), torch.zeros_like(xs))


A_LOW, B_HIGH = 1.0, 4.0
examples = [
    # (name of X, distribution, map label, name of Z, grid in x, grid in z)
    ("Gamma(2, 1)", dist.Gamma(2.0, 1.0), "$x = e^z$", "$Z = \\log X$",
     torch.linspace(-1.0, 8.0, 500), torch.linspace(-5.0, 3.0, 500)),
    ("Beta(2, 3)", dist.Beta(2.0, 3.0), "$x = \\sigma(z)$", "$Z = \\mathrm{logit}\\, X$",
     torch.linspace(-0.5, 1.5, 500), torch.linspace(-7.0, 6.0, 500)),
    (f"Uniform({A_LOW:g}, {B_HIGH:g})", dist.Uniform(A_LOW, B_HIGH),
     f"$x = {A_LOW:g} + {B_HIGH - A_LOW:g}\\,\\sigma(z)$",
     f"$Z = \\mathrm{{logit}}\\,((X - {A_LOW:g}) / {B_HIGH - A_LOW:g})$",
     torch.linspace(0.0, 5.0, 500), torch.linspace(-8.0, 8.0, 500)),
]
fig, axes = plt.subplots(3, 3, figsize=(15, 11))
for row, (name, d, map_label, z_name, xs, zs) in zip(axes, examples):
    T = dist.transform_to(d.support)
    row[0].plot(zs, T(zs))
    row[0].set_xlabel("$z$")
    row[0].set_ylabel("$x$")
    row[0].set_title(f"map {map_label}")
    row[1].plot(xs, density_on_grid(d, xs))
    row[1].set_xlabel("$x$")
    row[1].set_title(f"$X \\sim$ {name}")
    row[2].plot(zs, lp_transformed(zs, d, T).exp(), label="lp_transformed")
    row[2].plot(zs, dist.TransformedDistribution(d, T.inv).log_prob(zs).exp(), "--", label="TransformedDistribution")
    row[2].set_xlabel("$z$")
    row[2].set_title(z_name)
    row[2].legend(fontsize=9)
plt.tight_layout()
plt.show()

# %% [markdown]
# In $z$-space every density is smooth, positive on all of $\mathbb{R}$ and has no edges. The Uniform(1, 4) turns into the bell-shaped logistic density, whose bounds $a$ and $b$ have disappeared. Note also that the **mode moves**: Beta(2, 3) has its mode at $x = \frac{1}{3}$, but $p_Z$ peaks where $\sigma(z) = \frac{2}{5}$ (set the slope of $2\log\sigma(z) + 3\log\sigma(-z)$ to zero). A maximum a posteriori (MAP) estimate therefore depends on the parameterisation; a full distribution, pushed through $T$, does not.
#
# Back to the failed gradient step of section 1. In $z$-space, $\log p_Z(z) = 2\log\sigma(z) + 2\log\sigma(-z) - \log B(2, 2)$ has slope $2\sigma(-z) - 2\sigma(z) \in [-2, 2]$: bounded, defined everywhere, and any step maps back into $(0, 1)$.

# %%
T_beta = dist.transform_to(beta22.support)
z = T_beta.inv(torch.tensor(0.05))
for step in range(4):
    z = z.detach().requires_grad_(True)
    lp_transformed(z, beta22, T_beta).backward()
    print(f"step {step}: z = {z.item():+.3f}, x = T(z) = {T_beta(z).item():.3f}, slope in z = {z.grad.item():.3f}")
    z = z + 0.5 * z.grad


# %% [markdown]
# ## 4. The Kullback–Leibler divergence, two ways
#
# For two densities $p$ and $q$ on $\mathbb{R}$,
#
# $$
# \mathrm{KL}(p \,\|\, q) = \int p(x) \log \frac{p(x)}{q(x)} \, dx = \int p(x) \big( \log p(x) - \log q(x) \big) \, dx = \mathbb{E}_{x \sim p}\big[ \log p(x) - \log q(x) \big].
# $$
#
# It is non-negative, zero only when $p = q$, and not symmetric. Two conventions make it well defined where a density vanishes:
#
# * where $p(x) = 0$ the integrand is $0 \cdot \log \frac{0}{q(x)} := 0$ (the limit of $t \log t$ as $t \to 0$): regions that $p$ never visits cost nothing;
# * where $q(x) = 0 < p(x)$ the integrand is $+\infty$: $q$ declares impossible what $p$ says happens.
#
# **Work with log densities, never with the ratio of densities.** `log_prob` gives $\log p(x)$ directly and is accurate even far in the tails, where the density itself underflows: in float32 any density below about $10^{-45}$ is stored as exactly $0$. There `p / q` becomes `0 / 0 = nan` or `p / 0 = inf`, although $\log p(x) - \log q(x)$ is an ordinary number, and `0 * log(0)` is `0 * (-inf) = nan`, not $0$. The two expressions of the integrand above are equal in exact arithmetic, not in floating point.
#
# ### Quadrature
#
# In one dimension we can simply integrate numerically. The **trapezoidal rule** on grid points $x_0 < x_1 < \dots < x_{n-1}$ is
#
# $$
# \int f(x)\, dx \approx \sum_{i=0}^{n-2} (x_{i+1} - x_i)\, \frac{f(x_i) + f(x_{i+1})}{2},
# $$
#
# which is `torch.trapezoid(f_values, xs, dim=0)`. The grid must cover the region where the integrand is not negligible. To fit whole families of distributions at once (section 7), we let the grid carry extra dimensions: `xs` of shape `(n, B1, B2, ...)` holds one grid of `n` points per column, distributions with batch shape `(B1, B2, ...)` evaluate `log_prob` on it column by column, and we integrate along dimension 0.
#
# ## 5. Task: KL by quadrature (3 points)
#
# **Implement** `kl_quadrature(p, q, xs)`:
#
# * **In:** two torch distributions `p` and `q` over $\mathbb{R}$ (scalar events; they may have a batch shape that broadcasts against `xs.shape[1:]`); `xs`, the grid, a float tensor of shape `(n,)` or `(n, B1, B2, ...)`, increasing along dimension 0. Where a density is zero, its `log_prob` is $-\infty$.
# * **Out:** $\mathrm{KL}(p\,\|\,q)$ by the trapezoidal rule along dimension 0: a 0-dim tensor for a 1-D grid, otherwise a tensor of shape `(B1, B2, ...)`.
# * **How:** the integrand is $p(x)\big(\log p(x) - \log q(x)\big)$ with $p(x) = e^{\log p(x)}$, set to exactly $0$ where $p(x) = 0$ (that is, where $\log p(x) = -\infty$), so that $0 \log 0 = 0$ and no NaN reaches the sum. Then `torch.trapezoid(integrand, xs, dim=0)`.
# * **Why:** an accurate reference for the Monte Carlo estimator below, and the work horse of the brute-force fits in sections 7 and 10.

# %% nbgrader={"grade": false, "grade_id": "kl_quadrature__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def kl_quadrature(p, q, xs):
    """KL(p || q) = integral of p(x) (log p(x) - log q(x)) dx by the trapezoidal rule along dim 0 of xs.

    Args:
        p, q: torch distributions with scalar events (batch shapes broadcast against xs.shape[1:]).
        xs: grid, shape (n,) or (n, *batch), increasing along dim 0.

    Returns:
        0-dim tensor (1-D grid) or tensor of shape xs.shape[1:]; the integrand is 0 where p(x) = 0.
    """
    ### BEGIN SOLUTION
    log_p = p.log_prob(xs)
    log_q = q.log_prob(xs)
    p_is_zero = torch.isneginf(log_p)
    safe_log_p = torch.where(p_is_zero, torch.zeros_like(log_p), log_p)
    integrand = torch.where(p_is_zero, torch.zeros_like(log_p), safe_log_p.exp() * (safe_log_p - log_q))
    return torch.trapezoid(integrand, xs, dim=0)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "kl_quadrature__values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _p, _q = dist.Normal(0.0, 1.0), dist.Normal(1.0, 2.0)
    _xs = torch.linspace(-12.0, 14.0, 4001)
    _kl = kl_quadrature(_p, _q, _xs)
    check_scalar_tensor(_kl, "kl_quadrature(Normal(0, 1), Normal(1, 2), xs) on a 1-D grid")
    check_close(_kl, dist.kl_divergence(_p, _q).item(), "KL(N(0, 1) || N(1, 2)) by quadrature", atol=1e-4, rtol=1e-4,
                hint="integrate p(x) (log p(x) - log q(x)) with torch.trapezoid(..., xs, dim=0)")
    check_close(kl_quadrature(_p, _p, _xs), 0.0, "KL(p || p) by quadrature", atol=1e-6)
    # The trapezoidal rule itself, on a coarse uneven grid of 4 points (its value there, not the true KL): the sum over
    # the intervals of (x_{i+1} - x_i) (f(x_i) + f(x_{i+1})) / 2 with f = p (log p - log q).
    _coarse = torch.tensor([-1.0, 0.0, 0.5, 2.0])
    _lp, _lq = _p.log_prob(_coarse), _q.log_prob(_coarse)
    _f, _c = (_lp.exp() * (_lp - _lq)).tolist(), _coarse.tolist()
    _trapezoid = sum((_c[_i + 1] - _c[_i]) * (_f[_i] + _f[_i + 1]) / 2 for _i in range(3))
    check_close(kl_quadrature(_p, _q, _coarse), _trapezoid, "kl_quadrature on the coarse uneven grid [-1, 0, 0.5, 2]",
                atol=1e-5, rtol=1e-5,
                hint="use the trapezoidal rule with the spacings of xs, torch.trapezoid(integrand, xs, dim=0); a sum "
                     "of the values times one spacing (a Riemann sum) differs on a coarse or uneven grid")
    # A batched grid, as in sections 7 and 10: one column per distribution of a batch of two p's, shape (2001, 2).
    _mus, _sigmas = torch.tensor([0.0, 1.5]), torch.tensor([1.0, 0.6])
    _pb, _q0 = dist.Normal(_mus, _sigmas), dist.Normal(-0.5, 1.5)
    _batched = kl_quadrature(_pb, _q0, _mus + _sigmas * torch.linspace(-10.0, 10.0, 2001).unsqueeze(1))
    _dim_hint = ("integrate along dimension 0, the grid axis: torch.trapezoid(integrand, xs, dim=0); without dim it "
                 "runs along the last axis, which is the batch axis of a batched grid")
    check_shape(_batched, (2,), "kl_quadrature with a batch of two p's on a (2001, 2) grid", hint=_dim_hint)
    check_allclose(_batched, dist.kl_divergence(_pb, _q0), "batched KL(N([0, 1.5], [1, 0.6]) || N(-0.5, 1.5))",
                   atol=1e-3, rtol=1e-3, hint=_dim_hint)
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy import integrate as _integrate
    from scipy import special as _special
    from scipy import stats as _stats

    # Normal pairs against PyTorch's closed form, in both directions (KL is not symmetric).
    _pairs = [((0.0, 1.0), (1.0, 2.0)), ((1.0, 0.5), (-1.0, 1.5)), ((-2.0, 2.0), (0.0, 0.7)), ((3.0, 1.0), (3.0, 1.0))]
    for (_m1, _s1), (_m2, _s2) in _pairs:
        _p, _q = dist.Normal(_m1, _s1), dist.Normal(_m2, _s2)
        _xs = torch.linspace(min(_m1, _m2) - 12 * max(_s1, _s2), max(_m1, _m2) + 12 * max(_s1, _s2), 6001)
        for _a, _b, _label in [(_p, _q, f"KL(N({_m1}, {_s1}) || N({_m2}, {_s2}))"),
                               (_q, _p, f"KL(N({_m2}, {_s2}) || N({_m1}, {_s1}))")]:
            _got = kl_quadrature(_a, _b, _xs)
            check_scalar_tensor(_got, _label)
            check_close(_got, dist.kl_divergence(_a, _b).item(), _label + " by quadrature", atol=1e-3, rtol=1e-3,
                        hint="the first argument is p: integrate p (log p - log q); use log_prob, not density ratios")

    # The mixture of the notebook against N(0, 1); reference by adaptive quadrature (scipy.integrate.quad) in float64.
    _mix = dist.MixtureSameFamily(dist.Categorical(torch.tensor([0.4, 0.6])),
                                  dist.Normal(torch.tensor([-1.0, 4.0]), torch.tensor([0.75, 0.5])))

    def _mix_logpdf(x):
        return _special.logsumexp([np.log(0.4) + _stats.norm.logpdf(x, -1.0, 0.75),
                                   np.log(0.6) + _stats.norm.logpdf(x, 4.0, 0.5)], axis=0)

    _kl_ref = sum(_integrate.quad(lambda x: np.exp(_mix_logpdf(x)) * (_mix_logpdf(x) - _stats.norm.logpdf(x)), _a, _b,
                                  limit=200)[0] for _a, _b in [(-30.0, -1.0), (-1.0, 1.5), (1.5, 4.0), (4.0, 30.0)])
    check_close(_kl_ref, 4.5455, "reference KL(mixture || N(0, 1))", atol=1e-4)   # guards the reference itself
    check_close(kl_quadrature(_mix, dist.Normal(0.0, 1.0), torch.linspace(-8.0, 10.0, 4001)), _kl_ref,
                "KL(mixture || N(0, 1)) by quadrature", atol=2e-3, rtol=0)

    # Batched: a (n, 3) grid, one column per q of a batch of three Normals, integrates along dim 0.
    _mus, _sigmas = torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.5, 1.0, 3.0])
    _qb = dist.Normal(_mus, _sigmas)
    _u = torch.linspace(-10.0, 10.0, 4001).unsqueeze(1)
    _xs_b = _mus + _sigmas * _u                                  # shape (4001, 3): a grid that follows each q
    _p0 = dist.Normal(0.5, 1.2)
    _got = kl_quadrature(_qb, _p0, _xs_b)
    check_shape(_got, (3,), "kl_quadrature with a batch of three q's on a (4001, 3) grid")
    check_allclose(_got, dist.kl_divergence(_qb, _p0), "batched KL(q_b || N(0.5, 1.2))", atol=1e-3, rtol=1e-3,
                   hint="integrate along dim 0: torch.trapezoid(integrand, xs, dim=0)")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "kl_quadrature__zero_density", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    # p = Uniform(0, 1) is zero on most of the grid [-1, 2]: there log p = -inf and the integrand must be 0.
    _p = dist.Uniform(0.0, 1.0, validate_args=False)   # validate_args=False: log_prob = -inf outside [0, 1]
    _q = dist.Normal(0.0, 1.0)
    _kl = kl_quadrature(_p, _q, torch.linspace(-1.0, 2.0, 6001))
    check_scalar_tensor(_kl, "kl_quadrature(Uniform(0, 1), Normal(0, 1), xs)")
    # KL = integral_0^1 -log phi(x) dx = log(2 pi) / 2 + 1/6
    check_close(_kl, 0.5 * math.log(2 * math.pi) + 1 / 6, "KL(Uniform(0, 1) || N(0, 1))", atol=3e-3,
                hint="set the integrand to 0 where p(x) = 0 (log p = -inf): 0 log 0 = 0, not nan")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # (a) p = Uniform(-0.5, 1.5): KL(p || N(0.2, 0.8)) = -log 2 + E_p[(x - 0.2)^2] / (2 * 0.64) + log(0.8 sqrt(2 pi)),
    #     with E_p[(x - 0.2)^2] = Var + (mean - 0.2)^2 = 4/12 + 0.09.
    _p = dist.Uniform(-0.5, 1.5, validate_args=False)
    _expected = -math.log(2.0) + (4 / 12 + 0.09) / (2 * 0.64) + math.log(0.8 * math.sqrt(2 * math.pi))
    _got = kl_quadrature(_p, dist.Normal(0.2, 0.8), torch.linspace(-3.0, 3.0, 6001))
    check_true(bool(torch.isfinite(_got)), "KL(Uniform(-0.5, 1.5) || N(0.2, 0.8))",
               f"expected a finite value, got {_got}",
               hint="0 * log(0 / q) must count as 0")
    check_close(_got, _expected, "KL(Uniform(-0.5, 1.5) || N(0.2, 0.8))", atol=3e-3)

    # (b) a narrow p whose density underflows to exactly 0 in float32 on most of the grid, while log p stays finite
    _p, _q = dist.Normal(0.0, 0.05), dist.Normal(0.1, 1.0)
    _xs = torch.linspace(-10.0, 10.0, 20001)
    check_true(bool((_p.log_prob(_xs).exp() == 0).any()), "test set-up", "the density of p should underflow")
    _got = kl_quadrature(_p, _q, _xs)
    check_true(bool(torch.isfinite(_got)), "KL(N(0, 0.05) || N(0.1, 1)) on [-10, 10]",
               f"expected a finite value, got {_got}", hint="use log densities; p / q is 0 / 0 where both underflow")
    check_close(_got, dist.kl_divergence(_p, _q).item(), "KL(N(0, 0.05) || N(0.1, 1))", atol=1e-3, rtol=1e-3)

    # (c) the same in a batch: p with zeros, batched q on a (n, 2) grid
    _qb = dist.Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
    _xs_b = torch.linspace(-1.0, 2.0, 6001).unsqueeze(1).expand(-1, 2)
    _got = kl_quadrature(dist.Uniform(0.0, 1.0, validate_args=False), _qb, _xs_b)
    check_shape(_got, (2,), "kl_quadrature(Uniform(0, 1), batch of two q's, (6001, 2) grid)")
    # E_U[(x - m)^2] = 1/12 + (1/2 - m)^2, KL = log(s sqrt(2 pi)) + E / (2 s^2)
    _expected = [math.log(_s * math.sqrt(2 * math.pi)) + (1 / 12 + (0.5 - _m) ** 2) / (2 * _s ** 2)
                 for _m, _s in [(0.0, 1.0), (1.0, 2.0)]]
    check_allclose(_got, _expected, "batched KL(Uniform(0, 1) || q_b)", atol=3e-3, rtol=0)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### Monte Carlo
#
# The expectation form $\mathrm{KL}(p\,\|\,q) = \mathbb{E}_{x\sim p}[\log p(x) - \log q(x)]$ suggests a second estimator: draw $x_1, \dots, x_N$ from $p$ and average,
#
# $$
# \widehat{\mathrm{KL}}_N = \frac{1}{N} \sum_{i=1}^{N} \big( \log p(x_i) - \log q(x_i) \big).
# $$
#
# It is unbiased, and since it is an average of $N$ independent terms its variance is $\mathrm{Var}_p[\log p - \log q] / N$: the typical error shrinks like $1/\sqrt{N}$. Ten times more accuracy costs a hundred times more samples. That sounds bad, but this rate does not depend on the dimension of $x$, whereas a quadrature grid with $n$ points per dimension needs $n^d$ points in $d$ dimensions. Monte Carlo is what VI uses in practice (section 11).
#
# ## 6. Task: KL by Monte Carlo (3 points)
#
# **Implement** `kl_monte_carlo(p, q, n_samples)`:
#
# * **In:** two torch distributions with scalar events and no batch shape; `n_samples`, the number $N$ of samples.
# * **Out:** a 0-dim tensor, the estimate $\widehat{\mathrm{KL}}_N$ of $\mathrm{KL}(p\,\|\,q)$.
# * **How:** draw with `p.sample((n_samples,))` and average the **difference of log densities**. Do not form density ratios (they overflow or underflow, see above) and do not reseed the random number generator inside the function: every call must give a new, independent estimate.
# * **Why:** we will watch its error shrink like $1/\sqrt{N}$, and the same estimator, with gradients, drives sections 11 and 12.

# %% nbgrader={"grade": false, "grade_id": "kl_monte_carlo__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def kl_monte_carlo(p, q, n_samples):
    """Monte Carlo estimate of KL(p || q) = E_p[log p(x) - log q(x)] from n_samples draws of p.

    Args:
        p, q: torch distributions with scalar events and no batch shape.
        n_samples: number of samples N (int).

    Returns:
        0-dim tensor, the average of log p(x_i) - log q(x_i) over x_i ~ p.
    """
    ### BEGIN SOLUTION
    samples = p.sample((n_samples,))
    return (p.log_prob(samples) - q.log_prob(samples)).mean()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "kl_monte_carlo__values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _p, _q = dist.Normal(0.0, 1.0), dist.Normal(1.0, 2.0)
    _kl = kl_monte_carlo(_p, _q, 100_000)
    check_scalar_tensor(_kl, "kl_monte_carlo(Normal(0, 1), Normal(1, 2), 100000)")
    # the standard deviation of this estimate is about 0.002; 0.02 is ten of them
    check_close(_kl, dist.kl_divergence(_p, _q).item(), "KL(N(0, 1) || N(1, 2)) by Monte Carlo", atol=0.02,
                hint="average log p(x) - log q(x) over samples x drawn from p (the first argument)")
    # A wide p against a narrow q: about 7 % of the samples of N(1, 12) lie where the float32 density of N(0, 1.5)
    # underflows to 0, so a ratio of densities p / q is inf there; the difference of the log densities is finite.
    # KL = log(1.5 / 12) + (12^2 + 1) / (2 * 1.5^2) - 1/2 = 29.64; the estimate's std at N = 20000 is about 0.32.
    _wide, _narrow = dist.Normal(1.0, 12.0), dist.Normal(0.0, 1.5)
    _kl_wide = kl_monte_carlo(_wide, _narrow, 20_000)
    check_true(bool(torch.isfinite(_kl_wide)), "kl_monte_carlo(Normal(1, 12), Normal(0, 1.5), 20000)",
               f"expected a finite value, got {_kl_wide}",
               hint="the density of q underflows to 0 in float32 far from its mean; average the difference of the "
                    "log densities, log_prob(x) of p minus that of q, never log of a ratio of densities")
    check_close(_kl_wide, dist.kl_divergence(_wide, _narrow).item(), "KL(N(1, 12) || N(0, 1.5)) by Monte Carlo",
                atol=0, rtol=0.06, hint="average log p(x) - log q(x) over samples x drawn from p")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # All draws happen inside fork_rng with a fixed seed: the results do not depend on the notebook's seed, and the
    # tolerances are at least 6 standard deviations of each estimate, so they hold for any seed.
    with torch.random.fork_rng():
        torch.manual_seed(8080)
        # KL(p || p) is exactly 0 for every sample
        check_close(kl_monte_carlo(_p, _p, 1000), 0.0, "KL(p || p) by Monte Carlo", atol=1e-6)
        # Normal pairs against the closed form (std of each estimate at N = 200000: 0.002, 0.03 and 0.02)
        for (_m1, _s1), (_m2, _s2) in [((1.0, 0.5), (-1.0, 1.5)), ((-1.0, 1.5), (1.0, 0.5)), ((-2.0, 2.0), (0.0, 0.7))]:
            _a, _b = dist.Normal(_m1, _s1), dist.Normal(_m2, _s2)
            _got = kl_monte_carlo(_a, _b, 200_000)
            check_scalar_tensor(_got, f"KL(N({_m1}, {_s1}) || N({_m2}, {_s2})) by Monte Carlo")
            _expected = dist.kl_divergence(_a, _b).item()
            check_close(_got, _expected, f"KL(N({_m1}, {_s1}) || N({_m2}, {_s2})) by Monte Carlo",
                        atol=0.04, rtol=0.02, hint="sample from p, the first argument")
        # the mixture of the notebook: KL(mixture || N(0, 1)) = 4.5455 (adaptive quadrature in float64);
        # per-sample std of log p - log q is about 4, so the std of the estimate at N = 10^6 is about 0.004
        _mix = dist.MixtureSameFamily(dist.Categorical(torch.tensor([0.4, 0.6])),
                                      dist.Normal(torch.tensor([-1.0, 4.0]), torch.tensor([0.75, 0.5])))
        check_close(kl_monte_carlo(_mix, dist.Normal(0.0, 1.0), 1_000_000), 4.5455,
                    "KL(mixture || N(0, 1)) by Monte Carlo",
                    atol=0.03)
        # A wide p against a narrow q: q's density underflows to 0 for about half of the samples, p / q = inf there,
        # but log p - log q is finite. KL(N(0, 20) || N(0, 1)) = log(1/20) + 400/2 - 1/2; relative std 0.3 % at N = 2e5.
        _wide, _narrow = dist.Normal(0.0, 20.0), dist.Normal(0.0, 1.0)
        _got = kl_monte_carlo(_wide, _narrow, 200_000)
        check_true(bool(torch.isfinite(_got)), "KL(N(0, 20) || N(0, 1)) by Monte Carlo",
                   f"expected a finite value, got {_got}", hint="use log p - log q, not log(p / q)")
        check_close(_got, math.log(1 / 20) + 200 - 0.5, "KL(N(0, 20) || N(0, 1)) by Monte Carlo", atol=0, rtol=0.025)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "kl_monte_carlo__convergence", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _p, _q = dist.Normal(0.5, 1.2), dist.Normal(-0.3, 0.8)
    _a, _b = kl_monte_carlo(_p, _q, 50), kl_monte_carlo(_p, _q, 50)
    check_true(_a.item() != _b.item(), "two calls of kl_monte_carlo with 50 samples",
               "gave the same estimate; draw fresh samples in every call and do not reseed inside the function")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # The standard deviation of the estimator is proportional to 1 / sqrt(N): 16 times more samples, 4 times smaller.
    # With R = 400 repetitions the sample std of each set has a relative error of about 1 / sqrt(2 R) = 3.5 %
    # (a little more: the KL terms are skewed), so the ratio has a relative error of about 5 %; [3.0, 5.3] is more
    # than 5 of those on either side. Checked for 300 seeds of the local generator.
    with torch.random.fork_rng():
        torch.manual_seed(271828)
        _small = torch.stack([kl_monte_carlo(_p, _q, 64) for _ in range(400)])
        _large = torch.stack([kl_monte_carlo(_p, _q, 1024) for _ in range(400)])
    check_shape(_small, (400,), "400 estimates with N = 64")
    _ratio = (_small.std() / _large.std()).item()
    check_true(3.0 <= _ratio <= 5.3, "std(estimates at N = 64) / std(estimates at N = 1024)",
               f"expected about sqrt(16) = 4 (between 3.0 and 5.3), got {_ratio:.3f}",
               hint="use exactly n_samples fresh samples from p in every call")
    # both sets are unbiased: their means lie within 6 standard errors of the exact KL
    _exact = dist.kl_divergence(_p, _q).item()
    for _est, _n in [(_small, 64), (_large, 1024)]:
        _se = _est.std().item() / math.sqrt(400)
        check_close(_est.mean(), _exact, f"mean of 400 estimates with N = {_n}", atol=6 * _se, rtol=0)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### Both estimators on a bimodal example
#
# Our running example is a mixture of two normal distributions (we write $\mathcal{N}(\mu, s)$ with the **standard deviation** $s$, as PyTorch does):
#
# $$
# p(x) = 0.4\, \mathcal{N}(x; -1, 0.75) + 0.6\, \mathcal{N}(x; 4, 0.5),
# $$
#
# and we compare it with $q = \mathcal{N}(0, 1)$. Adaptive quadrature in float64 (SciPy) gives $\mathrm{KL}(p\,\|\,q) = 4.5455$ to four decimals; both of our estimators should agree.

# %%
mixture = dist.MixtureSameFamily(dist.Categorical(torch.tensor([0.4, 0.6])),
                                 dist.Normal(torch.tensor([-1.0, 4.0]), torch.tensor([0.75, 0.5])))
standard_normal = dist.Normal(0.0, 1.0)
x_plot = torch.linspace(-5.0, 8.0, 500)

kl_quad_mix = kl_quadrature(mixture, standard_normal, torch.linspace(-8.0, 10.0, 4001)).item()
n_mc = 1_000_000 if SIZE == "full" else 200_000
kl_mc_mix = kl_monte_carlo(mixture, standard_normal, n_mc).item()
print(f"KL(mixture || N(0, 1)): quadrature {kl_quad_mix:.4f}, Monte Carlo with N = {n_mc}: {kl_mc_mix:.4f}")

fig, ax = plt.subplots()
ax.plot(x_plot, mixture.log_prob(x_plot).exp(), label="$p$ = mixture")
ax.plot(x_plot, standard_normal.log_prob(x_plot).exp(), label="$q = \\mathcal{N}(0, 1)$")
ax.set_xlabel("$x$")
ax.set_title(f"KL(p || q) = {kl_quad_mix:.4f}")
ax.legend()
plt.show()

# %% [markdown]
# How fast does the Monte Carlo error shrink? We repeat the estimate many times for each $N$ and plot the root-mean-square error against the quadrature value on log-log axes, where $c / \sqrt{N}$ is a straight line with slope $-\frac{1}{2}$.

# %%
repeats = 100 if SIZE == "full" else 30
sample_sizes = [10, 100, 1_000, 10_000]
rmse = []
for n in sample_sizes:
    estimates = torch.stack([kl_monte_carlo(mixture, standard_normal, n) for _ in range(repeats)])
    rmse.append(((estimates - kl_quad_mix) ** 2).mean().sqrt().item())

fig, ax = plt.subplots()
ax.loglog(sample_sizes, rmse, "o-", label="RMS error of the Monte Carlo estimate")
ax.loglog(sample_sizes, [rmse[0] * math.sqrt(sample_sizes[0] / n) for n in sample_sizes], "--",
          label="$\\propto 1/\\sqrt{N}$")
ax.set_xlabel("number of samples $N$")
ax.set_ylabel("error")
ax.legend()
plt.show()
print("RMS error per N:", {n: round(e, 4) for n, e in zip(sample_sizes, rmse)})

# %% [markdown]
# ## 7. Mode-seeking versus mass-covering
#
# Now the asymmetry of KL matters. We approximate the bimodal $p$ by a single normal $q_{\mu,s} = \mathcal{N}(\mu, s)$ and choose $(\mu, s)$ by minimising either
#
# * the **reverse** KL, $\mathrm{KL}(q\,\|\,p) = \mathbb{E}_q[\log q - \log p]$, the direction VI uses, or
# * the **forward** KL, $\mathrm{KL}(p\,\|\,q) = \mathbb{E}_p[\log p - \log q]$, the direction maximum likelihood uses.
#
# A brute-force search is cheap in two dimensions: we evaluate both objectives on a grid of $121 \times 59$ values of $(\mu, s)$ **in one call** of `kl_quadrature`, using a batch of normal distributions and a grid `xs` of shape `(n, 121, 59)`. For the reverse KL the integration grid follows each $q$ ($\mu + s u$ for $u \in [-8, 8]$), for the forward KL it is one fixed grid that covers $p$. Then `scipy.optimize.minimize` polishes the best grid point.

# %%
mu_values = torch.linspace(-4.0, 8.0, 121)
s_values = torch.linspace(0.1, 3.0, 59)
MU, S = torch.meshgrid(mu_values, s_values, indexing="ij")        # (121, 59) each
q_family = dist.Normal(MU, S)                                      # a batch of 121 x 59 normals
u = torch.linspace(-8.0, 8.0, 401).reshape(-1, 1, 1)
reverse_grid = kl_quadrature(q_family, mixture, MU + S * u)                     # KL(q || p), shape (121, 59)
x_fixed = torch.linspace(-8.0, 10.0, 721).reshape(-1, 1, 1).expand(-1, 121, 59)
forward_grid = kl_quadrature(mixture, q_family, x_fixed)                         # KL(p || q), shape (121, 59)


def reverse_kl(params):
    mu, s = float(params[0]), float(params[1])
    if s <= 0:
        return np.inf
    return kl_quadrature(dist.Normal(mu, s), mixture, mu + s * torch.linspace(-8.0, 8.0, 2001)).item()


def forward_kl(params):
    mu, s = float(params[0]), float(params[1])
    if s <= 0:
        return np.inf
    return kl_quadrature(mixture, dist.Normal(mu, s), torch.linspace(-8.0, 10.0, 4001)).item()


def polish(objective, grid_values):
    """Start scipy's Nelder-Mead at the best grid point and return the polished (mu, s) and objective."""
    i, j = np.unravel_index(int(torch.argmin(grid_values)), grid_values.shape)
    start = [mu_values[i].item(), s_values[j].item()]
    result = optimize.minimize(objective, start, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-7})
    return result.x, result.fun


(mu_rev, s_rev), kl_rev = polish(reverse_kl, reverse_grid)
(mu_fwd, s_fwd), kl_fwd = polish(forward_kl, forward_grid)
mean_p = 0.4 * -1.0 + 0.6 * 4.0
std_p = math.sqrt(0.4 * (0.75 ** 2 + 1.0) + 0.6 * (0.5 ** 2 + 16.0) - mean_p ** 2)
print(f"reverse KL(q || p): mu = {mu_rev:.3f}, s = {s_rev:.3f}, KL = {kl_rev:.4f}   (-log 0.6 = {-math.log(0.6):.4f})")
print(f"forward KL(p || q): mu = {mu_fwd:.3f}, s = {s_fwd:.3f}, KL = {kl_fwd:.4f}")
print(f"mean and std of the mixture:  {mean_p:.3f},      {std_p:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(17, 4.5))
for ax, grid_values, title, (m_best, s_best) in [
        (axes[0], reverse_grid, "reverse KL(q || p)", (mu_rev, s_rev)),
        (axes[1], forward_grid, "forward KL(p || q)", (mu_fwd, s_fwd))]:
    contour = ax.contourf(MU, S, grid_values.clamp(max=20.0).log10(), levels=30, cmap="viridis")
    fig.colorbar(contour, ax=ax, label="log10 KL")
    ax.plot([m_best], [s_best], "r*", markersize=15, label="minimum")
    ax.set_xlabel("$\\mu$")
    ax.set_ylabel("$s$")
    ax.set_title(title)
    ax.legend(loc="upper right")
axes[2].plot(x_plot, mixture.log_prob(x_plot).exp(), "k", label="$p$")
axes[2].plot(x_plot, dist.Normal(float(mu_rev), float(s_rev)).log_prob(x_plot).exp(),
             label=f"argmin KL(q||p): N({mu_rev:.2f}, {s_rev:.2f})")
axes[2].plot(x_plot, dist.Normal(float(mu_fwd), float(s_fwd)).log_prob(x_plot).exp(),
             label=f"argmin KL(p||q): N({mu_fwd:.2f}, {s_fwd:.2f})")
axes[2].set_xlabel("$x$")
axes[2].set_ylabel("density")
axes[2].set_title("the mixture $p$ and the two best normals")
axes[2].legend(fontsize=9)
plt.tight_layout()
plt.show()

# %% [markdown]
# The two answers could hardly be more different: the reverse KL picks $q \approx \mathcal{N}(4.00, 0.50)$, practically the right-hand component itself, and the forward KL picks $q \approx \mathcal{N}(2.00, 2.52)$, a wide bell over both modes and the empty valley between them.
#
# **Reverse KL is mode-seeking.** $\mathbb{E}_q[\log q - \log p]$ is large wherever $q$ puts mass and $p$ has almost none, since there $\log q - \log p$ is huge. So $q$ avoids the valley between the modes and hides inside one of them. If $q$ equals the component $k$ with weight $w_k$, then $p \approx w_k q$ where $q$ lives and $\mathrm{KL}(q\,\|\,p) \approx -\log w_k$: $-\log 0.6 = 0.511$ for the right mode and $-\log 0.4 = 0.916$ for the left one. Both are minima (the contour plot shows a second basin around $(-1, 0.75)$), and the heavier mode wins. A gradient method started near the left mode would stay in the worse local minimum.
#
# **Forward KL is mass-covering.** $\mathbb{E}_p[\log p - \log q]$ is large wherever $p$ has mass and $q$ has almost none, so $q$ must cover both modes. For a normal $q$ the optimum has a closed form: only the cross-entropy depends on $(\mu, s)$,
#
# $$
# -\mathbb{E}_p[\log q(x)] = \log s + \tfrac{1}{2}\log 2\pi + \frac{\mathbb{E}_p[(x - \mu)^2]}{2 s^2},
# $$
#
# which is minimised by $\mu = \mathbb{E}_p[x]$ and $s^2 = \mathrm{Var}_p[x]$: **moment matching**. For the mixture, $\mathbb{E}_p[x] = 0.4 \cdot (-1) + 0.6 \cdot 4 = 2$ and $\mathbb{E}_p[x^2] = 0.4\,(0.75^2 + 1) + 0.6\,(0.5^2 + 16) = 10.375$, so $\mathrm{Var}_p[x] = 6.375$ and $s = 2.525$, as the optimiser found.
#
# VI minimises the reverse KL because it is the direction we can compute: it needs samples from $q$ and the *unnormalised* target, never samples from the posterior. The price is that VI approximations tend to be too narrow and can miss modes.
#
# ## 8. Variational inference for a coin
#
# We flip a coin five times and see $\mathcal{D} = (0, 1, 1, 0, 0)$, with $1$ for heads: $h = 2$ heads and $t = 3$ tails. The unknown is the probability of heads $\theta \in [0, 1]$, with a uniform prior $p(\theta) = 1$. The likelihood of the sequence is $\theta^h (1 - \theta)^t$, so
#
# $$
# p(\theta \mid \mathcal{D}) = \frac{\theta^{2} (1-\theta)^{3}}{p(\mathcal{D})} = \mathrm{Beta}(\theta; 3, 4), \qquad
# p(\mathcal{D}) = \int_0^1 \theta^{2} (1-\theta)^{3}\, d\theta = B(3, 4) = \frac{2!\, 3!}{6!} = \frac{1}{60},
# $$
#
# so the **log evidence** is $\log p(\mathcal{D}) = -\log 60 \approx -4.0943$. Here we know everything in closed form, which makes the coin a perfect test bed: we will pretend we do not, approximate the posterior with a normal distribution by VI, and check every step against the exact answers.
#
# A normal $q$ cannot approximate a distribution on $[0, 1]$ well, so we work with $z = \operatorname{logit}\theta \in \mathbb{R}$, $\theta = \sigma(z)$. The change of variables turns the uniform prior into the logistic density, $\log p(z) = \log\sigma(z) + \log\sigma(-z)$ (section 2), and the log joint density of data and $z$ becomes
#
# $$
# \log p(\mathcal{D}, z) = \underbrace{h \log\sigma(z) + t \log\sigma(-z)}_{\log p(\mathcal{D} \mid \theta = \sigma(z))} + \underbrace{\log\sigma(z) + \log\sigma(-z)}_{\log p(z)} .
# $$
#
# **Do not drop the prior term.** In $\theta$-space the uniform prior contributes $\log 1 = 0$, and it is tempting to leave it out. In $z$-space it is the Jacobian of the sigmoid and it matters.
#
# The next cell (read-only) sets up the model. `log_likelihood(z, flips)` is the first term above for every entry of `z` (any shape, computed with the stable `F.logsigmoid`); `posterior_unconstrained` is the exact posterior of $z$, for checks.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "coin_model", "locked": true, "schema_version": 3, "solution": false, "task": false}
flips = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0])   # 1 = heads
prior = dist.Uniform(0.0, 1.0)                     # prior of theta
to_unit = dist.transform_to(dist.constraints.unit_interval)   # z in R -> theta = sigmoid(z) in (0, 1)


def log_likelihood(z, flips):
    """log p(flips | theta = sigmoid(z)) = heads * log sigmoid(z) + tails * log sigmoid(-z), elementwise in z."""
    heads = flips.sum()
    tails = flips.numel() - heads
    return heads * F.logsigmoid(z) + tails * F.logsigmoid(-z)


prior_unconstrained = dist.TransformedDistribution(prior, to_unit.inv)   # log p(z) = log sigmoid(z) + log sigmoid(-z)
posterior = dist.Beta(1.0 + flips.sum(), 1.0 + (1.0 - flips).sum())     # Beta(3, 4)
posterior_unconstrained = dist.TransformedDistribution(posterior, to_unit.inv)
LOG_EVIDENCE_EXACT = -math.log(60.0)                                    # log B(3, 4)
print(f"posterior: Beta({posterior.concentration1.item():g}, {posterior.concentration0.item():g}), "
      f"log evidence = {LOG_EVIDENCE_EXACT:.4f}")


# %% [markdown]
# ### The evidence lower bound
#
# For any density $q(z)$, write the posterior as $p(z \mid \mathcal{D}) = p(\mathcal{D}, z) / p(\mathcal{D})$ and expand the KL divergence:
#
# $$
# \mathrm{KL}\big(q \,\|\, p(\cdot \mid \mathcal{D})\big) = \mathbb{E}_q\big[\log q(z) - \log p(\mathcal{D}, z)\big] + \log p(\mathcal{D}).
# $$
#
# Rearranged,
#
# $$
# \log p(\mathcal{D}) = \underbrace{\mathbb{E}_{q}\big[\log p(\mathcal{D}, z) - \log q(z)\big]}_{\mathrm{ELBO}(q)} + \mathrm{KL}\big(q \,\|\, p(\cdot \mid \mathcal{D})\big) .
# $$
#
# Since KL is non-negative, the ELBO is a lower bound on the log evidence, with equality exactly when $q$ is the posterior. The left side does not depend on $q$, so **maximising the ELBO is the same as minimising the reverse KL to the posterior**, and the ELBO needs only the log joint density, which we can always write down, not the normaliser $p(\mathcal{D})$, which we usually cannot compute.
#
# For a normal $q = \mathcal{N}(\mu, s)$ in one dimension we can compute the ELBO by quadrature on a grid that follows $q$: $z_i = \mu + s\, u_i$ with $u_i$ evenly spaced in $[-8, 8]$ (beyond 8 standard deviations $q$ has no mass worth counting).
#
# ## 9. Task: the ELBO by quadrature (3 points)
#
# **Implement** `coin_elbo(mu, sigma, flips, n_points=2001)`:
#
# * **In:** `mu`, `sigma`: the mean and standard deviation of $q$ in $z$-space, as Python floats or as float tensors of one common shape `S` (so that a whole grid of $(\mu, s)$ is evaluated in one call); `flips`, a 1-D tensor of 0s and 1s; `n_points`, the number of grid points per $q$.
# * **Out:** the ELBO of the coin model with a uniform prior on $\theta$: a tensor of shape `S` (0-dim for floats).
# * **How:** build the grid `z` of shape `(n_points, *S)` as $\mu + s\,u$ (`torch.linspace(-8, 8, n_points)` reshaped so that it broadcasts); evaluate $\log q(z)$ and the log joint $\log p(\mathcal{D}, z)$ = `log_likelihood(z, flips)` + the log prior in $z$-space (the closed form above with `F.logsigmoid`, or `prior_unconstrained.log_prob(z)`); integrate $q(z)\,\big(\log p(\mathcal{D}, z) - \log q(z)\big)$ with `torch.trapezoid(..., z, dim=0)`.
# * **Why:** we will maximise it by brute force, check the identity above, and use it as the yardstick for the gradient-based fits.

# %% nbgrader={"grade": false, "grade_id": "coin_elbo__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def coin_elbo(mu, sigma, flips, n_points=2001):
    """ELBO of q = Normal(mu, sigma) over z = logit(theta) for the coin model with a Uniform(0, 1) prior on theta.

    Args:
        mu, sigma: Python floats or float tensors of one common shape S.
        flips: 1-D tensor of 0/1 outcomes.
        n_points: quadrature points per q, spread over mu +- 8 sigma.

    Returns:
        Tensor of shape S: integral of q(z) (log p(flips, z) - log q(z)) dz.
    """
    ### BEGIN SOLUTION
    mu = torch.as_tensor(mu, dtype=torch.get_default_dtype())
    sigma = torch.as_tensor(sigma, dtype=torch.get_default_dtype())
    u = torch.linspace(-8.0, 8.0, n_points).reshape(-1, *([1] * mu.dim()))
    z = mu + sigma * u                                             # (n_points, *S)
    log_q = dist.Normal(mu, sigma).log_prob(z)
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.trapezoid(log_q.exp() * (log_joint - log_q), z, dim=0)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "coin_elbo__identity", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _flips = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0])
    _elbo = coin_elbo(-0.33, 0.82, _flips)
    check_scalar_tensor(_elbo, "coin_elbo(-0.33, 0.82, flips)")
    # the best normal in z-space has (mu, sigma) = (-0.3297, 0.8171) and ELBO = -4.09655, 0.0022 below -log 60
    check_close(_elbo, -4.09655, "ELBO of N(-0.33, 0.82) for the flips 0, 1, 1, 0, 0", atol=1e-3,
                hint="log joint = log_likelihood(z, flips) + log sigmoid(z) + log sigmoid(-z); do not forget -log q")
    check_true(_elbo.item() <= -math.log(60.0), "ELBO", "the ELBO must not exceed the log evidence -log 60")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy import special as _special

    def _reference_kl_to_posterior(m, s, heads, tails, order=120):
        """KL(N(m, s) || posterior of z) with Gauss-Hermite quadrature in float64.

        The posterior of z = logit(theta) is Beta(heads + 1, tails + 1) pushed through logit:
        log p(z | D) = (heads + 1) log sigmoid(z) + (tails + 1) log sigmoid(-z) - log B(heads + 1, tails + 1).
        """
        x, w = np.polynomial.hermite.hermgauss(order)
        z = m + math.sqrt(2.0) * s * x
        log_post = ((heads + 1) * _special.log_expit(z) + (tails + 1) * _special.log_expit(-z)
                    - _special.betaln(heads + 1, tails + 1))
        neg_entropy = -math.log(s) - 0.5 * math.log(2 * math.pi * math.e)
        return neg_entropy - float((w * log_post).sum()) / math.sqrt(math.pi)

    # ELBO + KL(q || posterior) = log evidence = log B(heads + 1, tails + 1), for several data sets and (mu, sigma).
    # Stated tolerance: 1e-3 (float32 quadrature reaches about 1e-5).
    for _data in ([0.0, 1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0], [0.0] * 9 + [1.0]):
        _f = torch.tensor(_data)
        _h = int(sum(_data))
        _t = len(_data) - _h
        _log_evidence = float(_special.betaln(_h + 1, _t + 1))
        for _m, _s in [(-1.0, 1.0), (0.5, 0.4), (-0.33, 0.82), (2.0, 1.5), (-1.5, 0.25)]:
            _got = coin_elbo(_m, _s, _f)
            check_scalar_tensor(_got, f"coin_elbo({_m}, {_s}, flips with {_h} heads and {_t} tails)")
            check_close(_got.item() + _reference_kl_to_posterior(_m, _s, _h, _t), _log_evidence,
                        f"ELBO + KL(q || posterior) for N({_m}, {_s}), {_h} heads, {_t} tails", atol=1e-3,
                        hint="the ELBO is E_q[log likelihood + log prior(z) - log q(z)]; the log prior in z-space is "
                             "log sigmoid(z) + log sigmoid(-z)")
            check_true(_got.item() <= _log_evidence + 1e-4, "ELBO", "must not exceed the log evidence")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "coin_elbo__batched", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _flips = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0])
    _mus = torch.tensor([-1.0, 0.0, 1.0])
    _sigmas = torch.tensor([0.5, 1.0, 1.5])
    _batch = coin_elbo(_mus, _sigmas, _flips)
    check_shape(_batch, (3,), "coin_elbo with mu and sigma of shape (3,)")
    for _i in range(3):
        check_close(_batch[_i], coin_elbo(_mus[_i].item(), _sigmas[_i].item(), _flips).item(),
                    f"entry {_i} of the batched ELBO vs the call with floats", atol=1e-4,
                    hint="build z with shape (n_points, *S) and integrate along dim 0")
    # the same three ELBOs by Gauss-Hermite quadrature in float64 (log prior in z-space included)
    check_allclose(_batch, [-4.63706, -4.22348, -5.75891], "batched ELBO for mu = (-1, 0, 1), sigma = (0.5, 1, 1.5)",
                   atol=1e-3, rtol=0, hint="log joint = log_likelihood(z, flips) + log sigmoid(z) + log sigmoid(-z): "
                                           "the flat prior on theta is not flat in z, do not drop it")
    # A 2-D batch, as the (mu, sigma) grid of section 10 uses: S = (2, 3), each entry as for floats.
    _mu2 = torch.tensor([[-1.0, 0.0, 1.0], [0.5, -0.5, 2.0]])
    _sigma2 = torch.tensor([[0.5, 1.0, 1.5], [0.8, 0.3, 1.2]])
    _shape_hint = ("give u one trailing 1 per dimension of S, u.reshape(-1, *([1] * mu.dim())), so that z has shape "
                   "(n_points, *S) for an S with any number of dimensions")
    try:
        _batch2 = coin_elbo(_mu2, _sigma2, _flips)
    except RuntimeError as _error:
        check_true(False, "coin_elbo with mu and sigma of shape (2, 3)", f"it raised: {_error}", hint=_shape_hint)
    check_shape(_batch2, (2, 3), "coin_elbo with mu and sigma of shape (2, 3)", hint=_shape_hint)
    check_allclose(_batch2, [[coin_elbo(_m, _s, _flips).item() for _m, _s in zip(_mr.tolist(), _sr.tolist())]
                             for _mr, _sr in zip(_mu2, _sigma2)],
                   "ELBO for mu and sigma of shape (2, 3) vs the calls with floats", atol=1e-4, hint=_shape_hint)
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy import special as _special

    def _reference_elbo(m, s, heads, tails, order=120):
        """ELBO of N(m, s) by Gauss-Hermite quadrature in float64.

        E_q[(h+1) log sig(z) + (t+1) log sig(-z)] + entropy.
        """
        x, w = np.polynomial.hermite.hermgauss(order)
        z = m + math.sqrt(2.0) * s * x
        log_joint = (heads + 1) * _special.log_expit(z) + (tails + 1) * _special.log_expit(-z)
        return float((w * log_joint).sum()) / math.sqrt(math.pi) + math.log(s) + 0.5 * math.log(2 * math.pi * math.e)

    _f = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    _mus = torch.tensor([[-1.0, 0.0, 1.0], [0.5, 1.0, 2.0]])
    _sigmas = torch.tensor([[0.3, 0.8, 1.2], [0.5, 0.7, 2.0]])
    _got = coin_elbo(_mus, _sigmas, _f)
    check_shape(_got, (2, 3), "coin_elbo with mu and sigma of shape (2, 3)")
    _expected = [[_reference_elbo(_mus[_i, _j].item(), _sigmas[_i, _j].item(), 6,
                                  2) for _j in range(3)] for _i in range(2)]
    check_allclose(_got, _expected, "batched ELBO of shape (2, 3), 6 heads and 2 tails", atol=1e-3, rtol=0)
    _got = coin_elbo(torch.tensor([0.2]), torch.tensor([0.9]), _f)
    check_shape(_got, (1,), "coin_elbo with mu and sigma of shape (1,)")
    # n_points is accepted (a coarser grid that is still fine enough for the ELBO to 1e-3).
    check_close(coin_elbo(0.3, 0.7, _f, n_points=201), _reference_elbo(0.3, 0.7, 6, 2),
                "coin_elbo(0.3, 0.7, 6 heads and 2 tails, n_points=201)", atol=1e-3, rtol=0)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 10. Task: the log evidence by quadrature (2 points)
#
# The identity above needs $\log p(\mathcal{D})$. We know it is $\log B(3, 4)$ here, but in general we would have to integrate: $p(\mathcal{D}) = \int p(\mathcal{D}, z)\, dz$ over $\mathbb{R}$ (or, equivalently, $\int_0^1 p(\mathcal{D} \mid \theta)\, p(\theta)\, d\theta$ in the original space).
#
# **Implement** `coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001)`:
#
# * **In:** `flips` as before; the range $[\text{lower}, \text{upper}]$ of $z$ and the number of grid points.
# * **Out:** a 0-dim tensor, $\log \int p(\mathcal{D}, z)\, dz$ by the trapezoidal rule on `torch.linspace(lower, upper, n_points)`.
# * **How:** the log joint is the same as in the ELBO (prior term included!). Exponentiate, integrate, take the log.
# * **Why:** to check the quadrature against the exact $-\log 60$, and to verify $\text{ELBO} + \text{KL} = \log p(\mathcal{D})$ below.

# %% nbgrader={"grade": false, "grade_id": "coin_log_evidence__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def coin_log_evidence(flips, lower=-40.0, upper=40.0, n_points=8001):
    """log p(flips) = log of the integral over z of p(flips, z), by the trapezoidal rule on [lower, upper].

    Args:
        flips: 1-D tensor of 0/1 outcomes.
        lower, upper, n_points: the grid torch.linspace(lower, upper, n_points) in z-space.

    Returns:
        0-dim tensor, the log evidence of the coin model with a Uniform(0, 1) prior on theta.
    """
    ### BEGIN SOLUTION
    z = torch.linspace(lower, upper, n_points)
    log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
    return torch.log(torch.trapezoid(log_joint.exp(), z))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "coin_log_evidence__values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _log_ev = coin_log_evidence(torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0]))
    check_scalar_tensor(_log_ev, "coin_log_evidence(flips)")
    check_close(_log_ev, -math.log(60.0), "log evidence of the flips 0, 1, 1, 0, 0 (exact: log B(3, 4) = -log 60)",
                atol=2e-4, hint="integrate exp(log likelihood + log prior in z-space) over z, then take the log")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy import special as _special

    # log p(D) = log B(heads + 1, tails + 1) for a uniform prior; tolerance 2e-4 (float32 quadrature reaches ~1e-6)
    for _data in ([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0], [1.0] * 20 + [0.0] * 3, [0.0] * 9 + [1.0], [1.0]):
        _h = int(sum(_data))
        _t = len(_data) - _h
        _got = coin_log_evidence(torch.tensor(_data))
        check_scalar_tensor(_got, f"coin_log_evidence for {_h} heads and {_t} tails")
        check_close(_got, float(_special.betaln(_h + 1, _t + 1)), f"log evidence for {_h} heads and {_t} tails",
                    atol=2e-4, hint="the integrand is p(D | sigmoid(z)) p(z) with the logistic prior density p(z)")
    # the grid arguments are used: a narrower range with fewer points still covers this posterior
    _got = coin_log_evidence(torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0]), lower=-25.0, upper=25.0, n_points=5001)
    check_close(_got, -math.log(60.0), "log evidence with lower=-25, upper=25, n_points=5001", atol=2e-4)
    # ... and a range that cuts the posterior short: the integral over [lower, upper] only, which differs from the
    # full one by 0.16 to 0.23 here (reference: a fine trapezoidal rule in float64; a sum or a rule on n_points
    # points of that range is within 0.003 of it).
    for _lower, _upper, _n in ((-1.0, 2.0, 301), (-3.0, 0.5, 351)):
        _z = np.linspace(_lower, _upper, 200_001)
        _joint = np.exp(3 * _special.log_expit(_z) + 4 * _special.log_expit(-_z))
        check_close(coin_log_evidence(torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0]), lower=_lower, upper=_upper,
                                      n_points=_n), math.log(np.trapezoid(_joint, _z)),
                    f"log evidence over z in [{_lower}, {_upper}] with n_points={_n}", atol=1e-2, rtol=0,
                    hint="integrate on torch.linspace(lower, upper, n_points), with the arguments given")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### The best normal by brute force, and the identity
#
# As in section 7 we evaluate the ELBO on a grid of $(\mu, s)$ in one batched call, then polish the best point with SciPy. After that we check, for a few normals, that the ELBO and the KL divergence to the exact posterior (computed with your `kl_quadrature`) add up to the log evidence.

# %%
mu_grid = torch.linspace(-2.0, 1.5, 141)
sigma_grid = torch.linspace(0.2, 2.0, 91)
MU_C, S_C = torch.meshgrid(mu_grid, sigma_grid, indexing="ij")
elbo_grid = coin_elbo(MU_C, S_C, flips, n_points=401)                        # shape (141, 91)
i, j = np.unravel_index(int(torch.argmax(elbo_grid)), elbo_grid.shape)
# The polish runs in float64. The ELBO is flat at its maximum: moving mu by 0.001 changes it by less than 1e-6,
# about the rounding error of float32 (7 significant digits) for a number near -4.1. In float32 the optimiser
# therefore stops wherever the rounding noise happens to be largest, and mu is only right to about 0.001.
torch.set_default_dtype(torch.float64)
try:
    result = optimize.minimize(lambda params: -coin_elbo(float(params[0]), float(params[1]), flips).item()
                               if params[1] > 0 else np.inf,
                               [mu_grid[i].item(), sigma_grid[j].item()], method="Nelder-Mead",
                               options={"xatol": 1e-6, "fatol": 1e-10})
finally:
    torch.set_default_dtype(torch.float32)
mu_bf, sigma_bf = (float(v) for v in result.x)
elbo_bf = -result.fun
log_evidence_quad = coin_log_evidence(flips).item()
print(f"brute force: mu = {mu_bf:.4f}, sigma = {sigma_bf:.4f}, ELBO = {elbo_bf:.5f}")
print(f"log evidence: quadrature {log_evidence_quad:.5f}, exact {LOG_EVIDENCE_EXACT:.5f}, "
      f"gap log p(D) - max ELBO = {LOG_EVIDENCE_EXACT - elbo_bf:.5f}")

print(f"\n{'mu':>7} {'sigma':>7}  {'ELBO':>9}  {'KL(q||post)':>11}  {'ELBO + KL':>10}")
u_kl = torch.linspace(-8.0, 8.0, 2001)
for m, s in [(-1.0, 1.0), (0.0, 0.5), (mu_bf, sigma_bf), (1.0, 2.0)]:
    elbo = coin_elbo(m, s, flips).item()
    kl = kl_quadrature(dist.Normal(m, s), posterior_unconstrained, m + s * u_kl).item()
    print(f"{m:7.4f} {s:7.4f}  {elbo:9.5f}  {kl:11.5f}  {elbo + kl:10.5f}")


# %%
def plot_fit(axes, mu, sigma, label, style="-"):
    """Draw N(mu, sigma) in z-space and its push-forward through the sigmoid in theta-space."""
    q = dist.Normal(float(mu), float(sigma))
    axes[0].plot(z_plot, q.log_prob(z_plot).exp(), style, label=label)
    axes[1].plot(theta_plot, dist.TransformedDistribution(q, to_unit).log_prob(theta_plot).exp(), style, label=label)


z_plot = torch.linspace(-4.0, 3.5, 400)
theta_plot = torch.linspace(0.002, 0.998, 400)
fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
axes[0].plot(z_plot, posterior_unconstrained.log_prob(z_plot).exp(), "k", linewidth=3, alpha=0.4, label="posterior")
axes[1].plot(theta_plot, posterior.log_prob(theta_plot).exp(), "k", linewidth=3, alpha=0.4, label="Beta(3, 4)")
plot_fit(axes, mu_bf, sigma_bf, f"q = N({mu_bf:.4f}, {sigma_bf:.4f})")
axes[0].set_xlabel("$z = \\mathrm{logit}\\,\\theta$")
axes[0].set_ylabel("density of $z$")
axes[0].set_title("unconstrained space")
axes[1].set_xlabel("$\\theta$")
axes[1].set_ylabel("density of $\\theta$")
axes[1].set_title("constrained space (q pushed through the sigmoid)")
for ax in axes:
    ax.legend()
plt.tight_layout()
plt.show()


# %% [markdown]
# The brute-force optimum, the normal in $z$-space with the largest ELBO, is $q = \mathcal{N}(-0.3297, 0.8171)$ (mean and standard deviation, to four decimals). For comparison, the exact posterior of $z$ has mean $\psi(3) - \psi(4) = -\frac{1}{3}$ and standard deviation $\sqrt{\psi'(3) + \psi'(4)} = 0.824$ ($\psi$ is the digamma function): the VI answer is very close, and, as section 7 predicts for the reverse KL, slightly narrower. The best ELBO is $-4.0965$, only $0.0022$ below $\log p(\mathcal{D}) = -4.0943$, so the normal family in logit space fits this posterior almost perfectly. Pushed back through the sigmoid, $q$ becomes a logit-normal distribution on $[0, 1]$ that is hard to tell apart from Beta(3, 4). A normal fitted directly in $\theta$-space could do neither: it would put mass on $\theta < 0$ and $\theta > 1$, where the log joint is $-\infty$ and the ELBO is undefined.
#
# ## 11. Gradient-based VI: the reparameterisation trick
#
# A grid search does not scale beyond two or three parameters. Real VI maximises the ELBO with stochastic gradients. The difficulty is that the expectation is taken under $q_\phi$, which depends on the parameters $\phi = (\mu, s)$ we differentiate with respect to. The **reparameterisation trick** moves the randomness out of $q$: a sample of $\mathcal{N}(\mu, s)$ is $z = \mu + s\,\varepsilon$ with $\varepsilon \sim \mathcal{N}(0, 1)$, so
#
# $$
# \nabla_\phi\, \mathbb{E}_{q_\phi}\big[f(z)\big] = \nabla_\phi\, \mathbb{E}_{\varepsilon}\big[f(\mu + s\,\varepsilon)\big] = \mathbb{E}_{\varepsilon}\big[\nabla_\phi f(\mu + s\,\varepsilon)\big],
# $$
#
# and a Monte Carlo average over $S$ draws of $\varepsilon$ gives an unbiased gradient that autograd computes for us. The entropy part of the ELBO is known in closed form for a normal, $-\mathbb{E}_q[\log q] = \log s + \frac{1}{2}\log(2\pi e)$, so a one-step estimate of the ELBO is
#
# $$
# \widehat{\mathrm{ELBO}} = \frac{1}{S}\sum_{k=1}^{S} \log p(\mathcal{D}, \mu + s\,\varepsilon_k) + \log s + \tfrac{1}{2}\log(2\pi e).
# $$
#
# One more constraint hides here: the scale $s$ must be positive. We apply the idea of this notebook once more and optimise $\rho = \log s \in \mathbb{R}$, with $s = e^{\rho}$. Adam then minimises $-\widehat{\mathrm{ELBO}}$. With a constant learning rate the parameters keep jittering because every gradient is noisy; letting the learning rate decay linearly to zero averages that noise out at the end.
#
# ## 12. Task: maximise the ELBO with Adam (3 points)
#
# **Implement** the training loop of `fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05)`. The parameters, the optimiser and the learning-rate schedule are set up for you. In every step:
#
# 1. draw `n_samples` values $\varepsilon \sim \mathcal{N}(0, 1)$ with `torch.randn`, and set $z = \mu + s\,\varepsilon$ with $s$ = `log_sigma.exp()`;
# 2. compute $\widehat{\mathrm{ELBO}}$ as above (the log joint includes the log prior in $z$-space);
# 3. zero the gradients, backpropagate $-\widehat{\mathrm{ELBO}}$, then call `optimizer.step()` and `scheduler.step()`;
# 4. append $\widehat{\mathrm{ELBO}}$ (the estimate of this step, before the update, as a Python float) to `history`.
#
# * **Out:** `(mu, sigma, history)`: the fitted mean and standard deviation as Python floats and the list of `n_steps` ELBO estimates.
# * **Why:** this is the algorithm that Pyro, NumPyro and every VAE use, in its smallest form. We will compare it with the brute-force optimum and with Pyro.

# %% nbgrader={"grade": false, "grade_id": "elbo_adam__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def fit_elbo_adam(flips, n_steps=500, n_samples=64, lr=0.05):
    """Fit q = Normal(mu, sigma) over z = logit(theta) to the coin posterior by maximising the ELBO with Adam.

    Args:
        flips: 1-D tensor of 0/1 outcomes.
        n_steps: number of Adam steps.
        n_samples: reparameterised samples per step.
        lr: initial learning rate; it decays linearly to 0 over the n_steps.

    Returns:
        (mu, sigma, history): Python floats and a list of n_steps Python floats, the ELBO estimate of every step.
    """
    mu = torch.zeros((), requires_grad=True)          # q starts as Normal(0, 1)
    log_sigma = torch.zeros((), requires_grad=True)   # sigma = exp(log_sigma) is positive for every real value
    optimizer = torch.optim.Adam([mu, log_sigma], lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / n_steps)
    history = []
    ### BEGIN SOLUTION
    entropy_constant = 0.5 * math.log(2 * math.pi * math.e)
    for _ in range(n_steps):
        eps = torch.randn(n_samples)
        z = mu + log_sigma.exp() * eps
        log_joint = log_likelihood(z, flips) + F.logsigmoid(z) + F.logsigmoid(-z)
        elbo = log_joint.mean() + log_sigma + entropy_constant
        optimizer.zero_grad()
        (-elbo).backward()
        optimizer.step()
        scheduler.step()
        history.append(elbo.item())
    ### END SOLUTION
    return mu.item(), log_sigma.exp().item(), history


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "elbo_adam__fit", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _mu, _sigma, _hist = fit_elbo_adam(torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0]), n_steps=20)
    check_python_float(_mu, "mu returned by fit_elbo_adam")
    check_python_float(_sigma, "sigma returned by fit_elbo_adam")
    check_true(_sigma > 0, "sigma returned by fit_elbo_adam", f"expected a positive value, got {_sigma}")
    check_true(abs(_mu) > 1e-4 or abs(_sigma - 1.0) > 1e-4, "fit_elbo_adam after 20 steps",
               "mu and sigma did not move from the start (0, 1); are you calling optimizer.step()?")
    # What each Adam step sees, recorded by a hook before every optimizer.step(): the learning rate and the gradient of
    # -ELBO with respect to mu. 20 steps at lr = 0.001 for 1 head and 3 tails keep q close to its start N(0, 1), where
    # that gradient is -E_q[2 sigmoid(-z) - 4 sigmoid(z)] = +1 (about +-0.15 for 64 samples), in every step.
    _seen = []

    def _record(_optimizer, _args, _kwargs):
        _mu_param = _optimizer.param_groups[0]["params"][0]
        _seen.append((_optimizer.param_groups[0]["lr"],
                      None if _mu_param.grad is None else float(_mu_param.grad)))

    from torch.optim.optimizer import register_optimizer_step_pre_hook as _register_step_pre_hook

    _handle = _register_step_pre_hook(_record)
    try:
        with torch.random.fork_rng():
            torch.manual_seed(31)
            fit_elbo_adam(torch.tensor([1.0, 0.0, 0.0, 0.0]), n_steps=20, lr=0.001)
    finally:
        _handle.remove()
    check_true(len(_seen) == 20, "fit_elbo_adam(..., n_steps=20)",
               f"expected 20 calls of optimizer.step(), got {len(_seen)}", hint="one Adam step per iteration")
    _rsample_hint = ("the gradient must flow through the samples: z = mu + sigma * eps with "
                     "eps = torch.randn(n_samples) (or q.rsample()); q.sample() returns constants, so the log joint "
                     "gives mu no gradient")
    check_true(_seen[0][1] is not None, "gradient of -ELBO with respect to mu in the first step",
               "no gradient reached mu", hint=_rsample_hint)
    check_true(_seen[0][1] > 0.5, "gradient of -ELBO with respect to mu in the first step (1 head, 3 tails)",
               f"expected about +1 at the start q = N(0, 1), got {_seen[0][1]:.3f}", hint=_rsample_hint)
    check_true(all(_g is not None and abs(_g) < 3.0 for _, _g in _seen),
               "gradient of -ELBO with respect to mu in steps 1 to 20 (q stays near N(0, 1))",
               f"expected about +1 in every step, got {[None if _g is None else round(_g, 2) for _, _g in _seen]}: "
               f"the gradients of earlier steps were added to the new ones",
               hint="call optimizer.zero_grad() before (-elbo).backward() in every step: PyTorch adds new gradients "
                    "to .grad")
    check_allclose([_lr for _lr, _ in _seen], [0.001 * (1 - _k / 20) for _k in range(20)],
                   "learning rate of each Adam step, lr = 0.001, n_steps = 20", atol=1e-12, rtol=0,
                   hint="call scheduler.step() once after every optimizer.step(), so that the rate decays linearly "
                        "from lr to 0")
    # A fit on other data, 1 head and 3 tails: the best normal in z-space is N(-0.8198, 0.9379) (Gauss-Hermite
    # quadrature and Nelder-Mead in float64). After 200 steps of 64 samples the fit lies within about 0.05 of it;
    # with the log prior in z-space left out it would head for N(-1.44, 1.31), the fit for a flat prior in z.
    with torch.random.fork_rng():
        torch.manual_seed(2024)
        _mu_v, _sigma_v, _ = fit_elbo_adam(torch.tensor([1.0, 0.0, 0.0, 0.0]), n_steps=200)
    _prior_hint = ("the log joint is log_likelihood(z, flips) + log sigmoid(z) + log sigmoid(-z): the uniform prior "
                   "on theta is the logistic density in z, do not drop it")
    check_close(_mu_v, -0.8198, "fitted mu for 1 head and 3 tails after 200 steps", atol=0.12, rtol=0,
                hint=_prior_hint)
    check_close(_sigma_v, 0.9379, "fitted sigma for 1 head and 3 tails after 200 steps", atol=0.12, rtol=0,
                hint="the ELBO estimate needs the entropy term log sigma, and " + _prior_hint)
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy import special as _special

    def _best_normal(heads, tails, order=120):
        """Brute-force reference: maximise the Gauss-Hermite ELBO over (mu, log sigma) with Nelder-Mead (float64)."""
        x, w = np.polynomial.hermite.hermgauss(order)

        def negative_elbo(params):
            m, log_s = params
            z = m + math.sqrt(2.0) * math.exp(log_s) * x
            log_joint = (heads + 1) * _special.log_expit(z) + (tails + 1) * _special.log_expit(-z)
            return -(float((w * log_joint).sum()) / math.sqrt(math.pi) + log_s + 0.5 * math.log(2 * math.pi * math.e))

        result = optimize.minimize(negative_elbo, [0.0, 0.0], method="Nelder-Mead",
                                   options={"xatol": 1e-9, "fatol": 1e-12})
        return result.x[0], math.exp(result.x[1])

    # The procedure the task prescribes, seen by a spy on Adam's step: n_steps optimiser steps, the k-th at the
    # learning rate lr * (1 - k / n_steps), which is what scheduler.step() once after every optimizer.step() gives.
    # (An outcome alone cannot see it: without the schedule the fit is worse on average but often within tolerance.)
    _rates = []
    _adam_step = torch.optim.Adam.__dict__["step"]

    def _spy_step(self, *args, **kwargs):
        _rates.append(self.param_groups[0]["lr"])
        return _adam_step(self, *args, **kwargs)

    torch.optim.Adam.step = _spy_step
    try:
        with torch.random.fork_rng():
            torch.manual_seed(7)
            fit_elbo_adam(torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0]), n_steps=40, lr=0.05)
    finally:
        torch.optim.Adam.step = _adam_step
    check_true(len(_rates) == 40, "fit_elbo_adam(..., n_steps=40)",
               f"expected 40 calls of optimizer.step(), got {len(_rates)}", hint="one Adam step per iteration")
    check_allclose(_rates, [0.05 * (1 - _k / 40) for _k in range(40)], "learning rate of each Adam step, lr = 0.05",
                   atol=1e-12, rtol=0, hint="call scheduler.step() once after every optimizer.step(), so that the "
                                            "rate decays linearly from lr to 0")

    # Stated tolerance: |mu - mu*| < 0.08 and |sigma - sigma*| < 0.06 with the default settings (500 steps, 64 samples,
    # lr 0.05 decaying to 0). Over 200 seeds the largest errors were about 0.04 and 0.03 (std about 0.013 and 0.009).
    with torch.random.fork_rng():
        torch.manual_seed(1618)
        for _data in ([0.0, 1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]):
            _h = int(sum(_data))
            _t = len(_data) - _h
            _mu_ref, _sigma_ref = _best_normal(_h, _t)
            _mu, _sigma, _hist = fit_elbo_adam(torch.tensor(_data))
            check_python_float(_mu, "mu")
            check_python_float(_sigma, "sigma")
            check_close(_mu, _mu_ref, f"fitted mu for {_h} heads and {_t} tails", atol=0.08, rtol=0,
                        hint="z = mu + sigma * eps with eps = torch.randn(n_samples): the gradient must flow through z")
            check_close(_sigma, _sigma_ref, f"fitted sigma for {_h} heads and {_t} tails", atol=0.06, rtol=0,
                        hint="the ELBO needs the entropy term log sigma and the log prior in z-space")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "elbo_adam__history", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _mu, _sigma, _hist = fit_elbo_adam(torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0]), n_steps=20)
    check_true(isinstance(_hist, list) and len(_hist) == 20, "history returned by fit_elbo_adam(..., n_steps=20)",
               f"expected a list of 20 entries, got {type(_hist).__name__} of length {len(_hist)}")
    check_true(all(isinstance(_v, float) for _v in _hist), "history", "expected Python floats", hint="use elbo.item()")
    # The first entry estimates the ELBO of the start q = N(0, 1). For 1 head and 3 tails its exact value is
    # -3.4174 (Gauss-Hermite quadrature in float64); with 50000 samples the estimate's std is about 0.01.
    with torch.random.fork_rng():
        torch.manual_seed(2025)
        _, _, _hist_v = fit_elbo_adam(torch.tensor([1.0, 0.0, 0.0, 0.0]), n_steps=1, n_samples=50_000, lr=1e-4)
    check_close(_hist_v[0], -3.4174, "history[0] at N(0, 1) for 1 head and 3 tails with n_samples=50000", atol=0.06,
                rtol=0, hint="record the ELBO estimate: the mean of the log joint (log likelihood plus the log prior "
                             "in z-space) + log sigma + log(2 pi e) / 2")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy import special as _special

    def _gh_elbo(m, s, heads, tails, order=120):
        x, w = np.polynomial.hermite.hermgauss(order)
        z = m + math.sqrt(2.0) * s * x
        log_joint = (heads + 1) * _special.log_expit(z) + (tails + 1) * _special.log_expit(-z)
        return float((w * log_joint).sum()) / math.sqrt(math.pi) + math.log(s) + 0.5 * math.log(2 * math.pi * math.e)

    with torch.random.fork_rng():
        torch.manual_seed(4669)
        _mu, _sigma, _hist = fit_elbo_adam(torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]), n_steps=300)
    check_true(len(_hist) == 300 and all(isinstance(_v, float) for _v in _hist), "history for n_steps=300",
               "expected a list of 300 Python floats")
    # The first entry estimates the ELBO of the starting point N(0, 1) (std of that estimate about 0.3 with 64 samples).
    check_close(_hist[0], _gh_elbo(0.0, 1.0, 6, 2), "history[0]: ELBO estimate at the start N(0, 1)", atol=2.0,
                hint="record the ELBO (not the loss -ELBO) of each step")
    # n_samples is used: with 100 000 samples the first recorded estimate, at q = N(0, 1) (lr 1e-4 barely moves q),
    # has a standard deviation of 0.014 around the exact ELBO -6.6417 of 8 heads; with 64 samples it would be 0.53,
    # and three seeds all within 0.07 would have a probability of about 0.001.
    for _seed in (11, 12, 13):
        with torch.random.fork_rng():
            torch.manual_seed(_seed)
            _, _, _hist1 = fit_elbo_adam(torch.ones(8), n_steps=1, n_samples=100_000, lr=1e-4)
        check_close(_hist1[0], _gh_elbo(0.0, 1.0, 8, 0), "history[0] at N(0, 1) for 8 heads with n_samples=100000",
                    atol=0.07, rtol=0, hint="draw n_samples values of eps in every step, as many as asked")
    # Recorded before the update: with lr = 1 the first Adam step moves mu and log sigma by 1, and the ELBO of 8 heads
    # from -6.64 (q = N(0, 1)) to about -3.85; with 100 000 samples the estimate's standard deviation is 0.014.
    with torch.random.fork_rng():
        torch.manual_seed(4670)
        _, _, _hist8 = fit_elbo_adam(torch.ones(8), n_steps=2, n_samples=100_000, lr=1.0)
    check_close(_hist8[0], _gh_elbo(0.0, 1.0, 8, 0), "history[0] with lr = 1: the estimate at the start N(0, 1)",
                atol=0.07, rtol=0, hint="append the estimate of this step, computed before optimizer.step()")
    # The last 100 estimates average to the ELBO of the final q (over 200 seeds: std 0.01, largest deviation 0.025).
    check_close(float(np.mean(_hist[-100:])), _gh_elbo(_mu, _sigma, 6, 2), "mean of the last 100 ELBO estimates",
                atol=0.1, hint="record the ELBO (not the loss -ELBO) of each step")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### Our fit on the coin data

# %%
adam_steps, adam_samples = (2000, 256) if SIZE == "full" else (500, 64)   # longer and less noisy at full size

# fit_elbo_adam returns only the final (mu, sigma). To see the path of the parameters, we ask PyTorch to call a
# function after every optimizer.step() (a global hook; it reads the parameters and changes nothing in the fit).
from torch.optim.optimizer import register_optimizer_step_post_hook  # noqa: E402

trajectory = [(0.0, 1.0)]   # fit_elbo_adam starts at q = N(0, 1)


def record_parameters(optimizer, args, kwargs):
    parameters = optimizer.param_groups[0]["params"]   # [mu, log_sigma], as set up in fit_elbo_adam
    if len(parameters) == 2:
        trajectory.append((parameters[0].item(), parameters[1].exp().item()))


hook = register_optimizer_step_post_hook(record_parameters)
try:
    mu_adam, sigma_adam, adam_history = fit_elbo_adam(flips, n_steps=adam_steps, n_samples=adam_samples)
finally:
    hook.remove()
print(f"own gradient fit: mu = {mu_adam:.4f}, sigma = {sigma_adam:.4f}   (brute force: {mu_bf:.4f}, {sigma_bf:.4f})")
mu_path, sigma_path = (torch.tensor(values) for values in zip(*trajectory))   # the start, then after every step
steps_taken = np.arange(len(mu_path))
# The exact ELBO of the q in use at each step (quadrature, all steps in one batched call): history[k] estimates it.
elbo_path = coin_elbo(mu_path[:-1], sigma_path[:-1], flips, n_points=401)

window = 25
smoothed = np.convolve(adam_history, np.ones(window) / window, mode="valid")
fig, axes = plt.subplots(1, 3, figsize=(17, 4.5))
ax = axes[0]
ax.plot(steps_taken[:-1], adam_history, alpha=0.3, label="ELBO estimate per step")
ax.plot(np.arange(window - 1, len(adam_history)), smoothed, label=f"moving average over {window} steps")
ax.plot(steps_taken[:-1], elbo_path, color="C2", linewidth=2, label="exact ELBO of the current q (quadrature)")
ax.axhline(elbo_bf, color="k", linestyle="--", label="best ELBO (brute force)")
ax.axhline(LOG_EVIDENCE_EXACT, color="r", linestyle=":", label="log evidence")
ax.set_ylim(elbo_bf - 1.0, LOG_EVIDENCE_EXACT + 0.3)
ax.set_ylabel("ELBO")
ax.set_title("ELBO along the fit")
ax.legend(fontsize=9, loc="lower right")
for ax, path, best, name in [(axes[1], mu_path, mu_bf, "$\\mu$"), (axes[2], sigma_path, sigma_bf, "$\\sigma$")]:
    ax.plot(steps_taken, path, color="C0", label=f"{name} after each step")
    ax.axhline(best, color="k", linestyle="--", label=f"brute-force optimum {best:.4f}")
    ax.set_ylabel(name)
    ax.set_title(f"the variational parameter {name} along the fit")
    ax.legend()
for ax in axes:
    ax.set_xscale("symlog", linthresh=1)   # linear from 0 to 1, logarithmic beyond: the start stays visible
    ax.set_xlim(0, steps_taken[-1])
    ax.set_xlabel("Adam steps taken (log scale beyond 1)")
plt.tight_layout()
plt.show()

# %% [markdown]
# The start $\mathcal{N}(0, 1)$ is already a fair guess: its ELBO is $-4.2235$, only $0.127$ below the best value $-4.0965$, while a single estimate with 64 samples has a standard deviation of about $0.14$ there (about $0.07$ with 256). That is why the raw ELBO curve looks like flat noise from the first step. The exact ELBO of the current $q$ and the two variational parameters show what actually happens: in the first ten or so steps $\mu$ and $\sigma$ travel from $(0, 1)$ to the optimum, overshoot it (Adam's momentum carries them on), and settle within about a hundred steps. The rest of the run only averages out the jitter of the noisy gradients while the learning rate decays to zero.


# %% [markdown]
# ## 13. The same with Pyro: `SVI` and `AutoNormal`
#
# Pyro automates every step we took by hand. We write the model in the **original, constrained** parameterisation: $\theta \sim$ Uniform(0, 1) and the flips are Bernoulli($\theta$). The guide (Pyro's name for $q$) `AutoNormal` looks at the support of every latent variable, maps it to $\mathbb{R}$ with `biject_to(support)` (the sigmoid for $\theta$, the same map as `transform_to` here) and puts a normal distribution with a learnable `loc` and `scale` there. When it samples, it pushes $z$ through the map and corrects $\log q$ by the log-Jacobian, exactly the change of variables of section 2, so the ELBO it estimates is the same function of $(\mu, s)$ as ours. `SVI` with `Trace_ELBO` then does what `fit_elbo_adam` does: reparameterised samples, a Monte Carlo ELBO, and an optimiser step (we use `ClippedAdam` with a decaying learning rate). The learned `loc` and `scale` live in $z$-space and are directly comparable with our $(\mu, s)$.
#
# This is not graded; at grading size it runs only a few steps.

# %%
def coin_model(flips):
    theta = pyro.sample("theta", pdist.Uniform(0.0, 1.0))
    with pyro.plate("flips", len(flips)):
        pyro.sample("obs", pdist.Bernoulli(theta), obs=flips)


pyro_steps = 800 if SIZE == "full" else 150
pyro.clear_param_store()
guide = AutoNormal(coin_model, init_scale=1.0)    # starts at N(0, 1) in z-space, like fit_elbo_adam
svi = SVI(coin_model, guide, pyro.optim.ClippedAdam({"lr": 0.05, "lrd": 0.02 ** (1 / pyro_steps)}),
          Trace_ELBO(num_particles=128, vectorize_particles=True, max_plate_nesting=1))
pyro_losses = [svi.step(flips) for _ in range(pyro_steps)]
mu_pyro = guide.locs.theta.item()
sigma_pyro = guide.scales.theta.item()
print(f"Pyro AutoNormal after {pyro_steps} steps: loc = {mu_pyro:.4f}, scale = {sigma_pyro:.4f}")

# %%
print(f"{'method':<28}{'mu':>9}{'sigma':>9}")
for name, m, s in [("brute force (grid + scipy)", mu_bf, sigma_bf), ("own gradient fit (Adam)", mu_adam, sigma_adam),
                   ("Pyro SVI + AutoNormal", mu_pyro, sigma_pyro)]:
    print(f"{name:<28}{m:9.4f}{s:9.4f}")

fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
axes[0].plot(z_plot, posterior_unconstrained.log_prob(z_plot).exp(), "k", linewidth=3, alpha=0.4, label="posterior")
axes[1].plot(theta_plot, posterior.log_prob(theta_plot).exp(), "k", linewidth=3, alpha=0.4, label="Beta(3, 4)")
plot_fit(axes, mu_bf, sigma_bf, "brute force")
plot_fit(axes, mu_adam, sigma_adam, "own Adam fit", "--")
plot_fit(axes, mu_pyro, sigma_pyro, "Pyro AutoNormal", ":")
axes[0].set_xlabel("$z = \\mathrm{logit}\\,\\theta$")
axes[0].set_ylabel("density of $z$")
axes[0].set_title("three fits of q in unconstrained space")
axes[1].set_xlabel("$\\theta$")
axes[1].set_ylabel("density of $\\theta$")
axes[1].set_title("the same fits pushed through the sigmoid")
for ax in axes:
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The three answers agree within a few hundredths: the differences are the Monte Carlo noise of the two stochastic fits, and they shrink with more steps or more samples per step. At the full size (with the default seed) the two stochastic fits land within about 0.005 of the brute-force optimum $(\mu, s) = (-0.3297, 0.8171)$; at grading size both runs are shorter and noisier, and they can be a few hundredths away.
#
# ### What to remember
#
# * Gradient methods need densities that are defined and smooth on all of $\mathbb{R}$. A constrained variable $X = T(Z)$ is moved to $\mathbb{R}$ with a bijection $T$, and its density picks up the log-Jacobian: $\log p_Z(z) = \log p_X(T(z)) + \log|T'(z)|$. `transform_to(d.support)` picks $T$ for you: $\exp$ for positive variables, the sigmoid for $(0, 1)$, an affine map after the sigmoid for $(a, b)$.
# * The Jacobian term is not optional: without it the density of $Z$ does not integrate to one, and a flat prior on $\theta$ is not flat in $z = \operatorname{logit}\theta$. Modes (and MAP estimates) move under reparameterisation; distributions transform consistently.
# * Compute KL divergences from **log densities**. Set $0 \log 0 = 0$ explicitly; never divide densities, which underflow. Quadrature is accurate in one dimension; Monte Carlo works in any dimension with error $\propto 1/\sqrt{N}$.
# * $\mathrm{KL}(q\,\|\,p)$ is mode-seeking (VI), $\mathrm{KL}(p\,\|\,q)$ is mass-covering and, for a normal $q$, matches the mean and variance of $p$.
# * $\log p(\mathcal{D}) = \mathrm{ELBO}(q) + \mathrm{KL}(q\,\|\,p(\cdot\mid\mathcal{D}))$: maximising the ELBO minimises the reverse KL without knowing $p(\mathcal{D})$.
# * Reparameterised samples $z = \mu + s\,\varepsilon$ give unbiased ELBO gradients; optimise unconstrained parameters ($\log s$). Pyro's `AutoNormal` + `SVI` does all of this automatically, including the constrained-to-unconstrained map.
