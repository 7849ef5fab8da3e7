# ---
# jupyter:
#   dgmcourse_sync:
#     cells: 6049b7aa03810ed9
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
# # Assignment 1: Space worms, optimal transport and the Wasserstein distance
#
# Welcome to the first assignment of the course. Generative modelling is, at its core, the art of making one distribution (the model) look like another (the data). To do that we need a way to **measure how far apart two distributions are**, and that choice shapes everything that follows: what the optimiser sees, which solution it finds, and what "a good fit" means.
#
# In this notebook we take the smallest possible example, a distribution over 11 outcomes, and compare two ways of measuring the gap:
#
# * the **Wasserstein-1 distance** $W_1$ (also called the *earth mover's distance*), which asks how much probability mass has to be moved, and how far, to turn one distribution into the other;
# * the **Kullback–Leibler divergence** $\mathrm{KL}$, which compares probabilities outcome by outcome and is the quantity that maximum-likelihood training minimises.
#
# By the end you will be able to
#
# 1. compute $W_1$ between two discrete distributions with SciPy, and explain the *values + weights* interface of `scipy.stats.wasserstein_distance`;
# 2. write $W_1$ in closed form with cumulative distribution functions (CDFs) so that PyTorch can differentiate it;
# 3. fit the parameter of a binomial model by gradient descent (Adam) through a Pyro distribution;
# 4. recognise a **non-convex** objective: see why gradient descent on $W_1$ lands in different places from different starting points;
# 5. implement a numerically safe discrete KL divergence and explain why its optimum differs from the $W_1$ optimum.
#
# ### How this notebook is graded
#
# * You write code only in the cells that contain `# YOUR CODE HERE` followed by `raise NotImplementedError(...)`. Replace those lines with your solution (running them first only tells you to do so); keep the function names and signatures as given.
# * Each task is followed by a **graded test cell** (read-only). It contains a few *visible checks* that you can run yourself, and **hidden tests** that are added when we grade. Passing the visible checks is necessary but not sufficient: the hidden tests try other inputs (other lengths, dtypes, starting points). A test cell earns all of its points if it runs without an error and none if it raises. The checks sit inside a function, `__test_cell__`, which the cell calls and then deletes: they leave your variables untouched, whatever you named them.
# * There are 15 points in total: `w1_scipy` 2, `w1_cdf` 2 + 2, `optimize` 3 + 1 + 1, `landing` 1, `kl` 2, `kl_fit` 1.
# * Before you submit, **restart the kernel and run all cells from top to bottom**. The grader does exactly that, with a fresh kernel, on a CPU. The whole notebook should finish in well under a minute; the reference solution takes 20 to 30 seconds on a two-core CPU. Please do not increase the number of epochs in the graded cells.
# * The grader may set the environment variable `DGMCOURSE_SEED` to a different value; your code must not depend on a particular seed. Do not add, delete or copy cells.

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
from collections import defaultdict

import matplotlib.pyplot as plt
import numpy as np
import pyro.distributions as distrs
import torch
from scipy.stats import wasserstein_distance

from dgmcourse import cpu_threads_for, seed_everything
from dgmcourse.student.checks import (check_allclose, check_close, check_python_float,
                                      check_scalar_tensor, check_shape, check_true)
from dgmcourse.student.plots import bar_compare, use_course_style

SEED = seed_everything()   # seeds Python, NumPy, torch and Pyro from $DGMCOURSE_SEED (default 0)
THREADS = cpu_threads_for()  # one CPU thread: tensors of 11 numbers gain nothing from splitting work over threads
use_course_style()
EPS = 1e-3                 # keeps the binomial parameter p away from 0 and 1 during optimisation
print(f"seed = {SEED}, torch {torch.__version__}")

# %% [markdown]
# ## 1. The data: teeth of space worms
#
# Imagine we are the first biologists on a distant planet. We find a species of worm that is born with **10 teeth**; years of chewing on rock knock some of them out, so an adult worm has somewhere between $0$ and $10$ teeth. After counting the teeth of many worms we summarise the sample as an *empirical probability mass function* (pmf): the fraction of worms with $k$ teeth, for $k = 0, 1, \dots, 10$.
#
# Note that there are **11 possible outcomes** (0 up to and including 10), but the largest count is **10**. Keep this difference between "number of outcomes" and "largest outcome" in mind; it will matter when we build a binomial model.
#
# The cell below stores the pmf in `true_data`, the maximum number of teeth in `TOTAL_COUNT`, and the outcomes themselves in `teeth` (a float tensor, because we will evaluate densities and do arithmetic on it).

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "data", "locked": true, "schema_version": 3, "solution": false, "task": false}
true_data = torch.tensor([0.1, 0.2, 0.11, 0.11, 0.05, 0.02, 0.03, 0.05, 0.11, 0.15, 0.07])
TOTAL_COUNT = 10                                              # a worm has at most 10 teeth
teeth = torch.arange(TOTAL_COUNT + 1, dtype=torch.float32)    # the outcomes 0, 1, ..., 10

check_shape(true_data, (TOTAL_COUNT + 1,), "true_data")
check_close(true_data.sum(), 1.0, "sum of the empirical probabilities", atol=1e-6,
            hint="a probability mass function must sum to one over all outcomes")

# %%
fig, ax = plt.subplots()
bar_compare(teeth, {"data": true_data}, ax=ax, xlabel="number of teeth $k$",
            ylabel="probability $p_{\\mathrm{data}}(k)$", title="Space worm teeth: empirical distribution")
plt.show()

# %% [markdown]
# The distribution is clearly **bimodal**: many worms have lost almost all of their teeth (a peak at 1 tooth), many have lost hardly any (a peak at 9 teeth), and few are in between. Keep this shape in mind; it is the reason why the two distances we study later disagree.
#
# ## 2. Two hypotheses
#
# We want to describe the data with a simple parametric model, so that we can report one or two numbers instead of eleven.
#
# **Hypothesis 1: uniform.** Every tooth count is equally likely, $q(k) = \frac{1}{11}$ for $k = 0, \dots, 10$. This model has no parameters at all.
#
# **Hypothesis 2: binomial.** Each of the 10 teeth survives independently with the same probability $p$. The number of surviving teeth then follows a binomial distribution
#
# $$
# q_p(k) = \binom{10}{k} p^k (1-p)^{10-k}, \qquad k = 0, 1, \dots, 10 .
# $$
#
# The `total_count` of the binomial is the number of independent trials, here the **10 teeth**, and *not* the number of outcomes (11). With `total_count=11` the model would put probability on a worm with 11 teeth, which does not exist, and the 11 probabilities on $k = 0, \dots, 10$ would no longer sum to one.
#
# A quick way to pick $p$ is **moment matching**: a binomial has mean $10p$, so we set $10p$ equal to the mean number of teeth in the data,
#
# $$
# \hat p = \frac{1}{10} \sum_{k=0}^{10} k \, p_{\mathrm{data}}(k) = \frac{4.51}{10} = 0.451 .
# $$
#
# We use [Pyro](https://pyro.ai)'s distributions, which are PyTorch distributions with a few extras: `distrs.Binomial(total_count=..., probs=p)` builds the distribution, and `.log_prob(teeth).exp()` evaluates its pmf at every tooth count. Because everything is a torch operation, the pmf will later carry gradients with respect to `p`.

# %%
uniform_pmf = torch.full((TOTAL_COUNT + 1,), 1.0 / (TOTAL_COUNT + 1))

mean_teeth = (teeth * true_data).sum()
p_moment = mean_teeth / TOTAL_COUNT
binomial_pmf = distrs.Binomial(total_count=TOTAL_COUNT, probs=p_moment).log_prob(teeth).exp()
print(f"mean number of teeth = {mean_teeth.item():.2f}, moment-matched p = {p_moment.item():.3f}")
print(f"binomial pmf sums to {binomial_pmf.sum().item():.6f}")

fig, ax = plt.subplots()
bar_compare(teeth, {"data": true_data, "uniform": uniform_pmf, f"Binomial(10, {p_moment.item():.3f})": binomial_pmf},
            ax=ax, xlabel="number of teeth $k$", ylabel="probability", title="Data and two hypotheses")
plt.show()


# %% [markdown]
# Neither hypothesis looks like the data: the uniform model ignores the two peaks, and the binomial puts most of its mass in the middle, where the data has the least. Which one is *closer*? To answer that we need a number that measures the distance between two distributions. We start with the Wasserstein distance.
#
# ## 3. The Wasserstein-1 distance
#
# Think of each pmf as a row of sand piles: pile $k$ holds $p(k)$ units of sand and sits at position $x_k$. Turning distribution $P$ into distribution $Q$ means moving sand between positions. A **transport plan** $\gamma_{ij} \ge 0$ says how much sand goes from position $x_i$ to position $x_j$; it must take away exactly what is in each pile of $P$ and deliver exactly what each pile of $Q$ needs:
#
# $$
# \sum_j \gamma_{ij} = p(x_i), \qquad \sum_i \gamma_{ij} = q(x_j).
# $$
#
# Moving one unit of sand over a distance $|x_i - x_j|$ costs $|x_i - x_j|$. The **Wasserstein-1 distance** is the cost of the cheapest plan:
#
# $$
# W_1(P, Q) = \min_{\gamma \in \Gamma(P, Q)} \sum_{i,j} \gamma_{ij}\, |x_i - x_j| ,
# $$
#
# where $\Gamma(P, Q)$ is the set of all valid plans (joint distributions whose marginals are $P$ and $Q$). Unlike many other divergences, $W_1$ knows about the *geometry* of the outcomes: moving mass from 1 tooth to 2 teeth is cheap, moving it from 1 tooth to 9 teeth is expensive.
#
# ### The one-dimensional shortcut
#
# In general, finding the best plan is a linear program. On the real line, however, the optimal plan never lets transport routes cross, and the minimum has a closed form in terms of the CDFs $F_P(x) = P(X \le x)$ and $F_Q$:
#
# $$
# W_1(P, Q) = \int_{-\infty}^{\infty} \big| F_P(x) - F_Q(x) \big| \, dx .
# $$
#
# Intuition: at every point $x$, the amount of mass that must cross $x$ (from left to right or the other way) is exactly $|F_P(x) - F_Q(x)|$, and each unit crossing a short stretch $dx$ pays $dx$.
#
# For a pmf on the evenly spaced positions $x_k = k\Delta$, $k = 0, \dots, n-1$, both CDFs are step functions that only change at the support points, so the integral becomes a sum:
#
# $$
# W_1(P, Q) = \sum_{k=0}^{n-1} \big| F_P(k) - F_Q(k) \big| \cdot \Delta,
# \qquad F_P(k) = \sum_{j=0}^{k} p_j .
# $$
#
# **Convention used throughout this notebook:** the support is the tooth counts $0, 1, \dots, n-1$, so the spacing is $\Delta = 1$ and distances are measured *in teeth*. (If you placed the same probabilities on $0, 0.1, 0.2, \dots$ every distance would shrink by a factor of ten. The positions are part of the problem, not just the probabilities.) The last term of the sum is always zero, because both CDFs reach 1 at the last outcome.
#
# ### Seeing the formula: $W_1$ is the area between two staircases
#
# The cell below draws the sum for the two hypotheses of section 2. A discrete CDF is a staircase: it jumps up by $p(k)$ at tooth count $k$ and stays flat until the next count. Between $k$ and $k + 1$ the two staircases are therefore a constant $|F_P(k) - F_Q(k)|$ apart, so the shaded strip over that interval is a rectangle of width one tooth and exactly that height. Adding up the strips gives the sum above: $W_1$ *is* the shaded area. The figure code uses only NumPy and the pmfs from section 2, none of the functions you will write.

# %%
def plot_cdf_gap(ax, p_probs, q_probs, p_label, q_label, title):
    """Draw the CDFs of two pmfs on 0, 1, ..., n-1 as staircases, shade the area between them and return it (W1)."""
    p_cdf = np.cumsum(np.asarray(torch.as_tensor(p_probs).detach(), dtype=np.float64))
    q_cdf = np.cumsum(np.asarray(torch.as_tensor(q_probs).detach(), dtype=np.float64))
    # F is 0 left of 0, F(k) on [k, k + 1), and 1 from n - 1 on; one extra point on each side shows that.
    x = np.arange(-1, len(p_cdf) + 1)
    p_steps = np.concatenate([[0.0], p_cdf, [1.0]])
    q_steps = np.concatenate([[0.0], q_cdf, [1.0]])
    w1 = float(np.abs(p_cdf - q_cdf).sum())
    ax.fill_between(x, p_steps, q_steps, step="post", color="C2", alpha=0.3,
                    label=rf"$|F_P(k) - F_Q(k)|$, area $= W_1 = {w1:.3f}$")
    ax.step(x, p_steps, where="post", color="C0", linewidth=2, label=f"$F_P$: {p_label}")
    ax.step(x, q_steps, where="post", color="C1", linewidth=2, label=f"$F_Q$: {q_label}")
    ax.set_xlim(-1, len(p_cdf))
    ax.set_xlabel("number of teeth $k$")
    ax.set_ylabel(r"cumulative probability $F(k) = P(X \leq k)$")
    ax.set_title(f"{title}: $W_1$ = {w1:.3f} teeth")
    ax.legend(loc="lower right")
    return w1


fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
plot_cdf_gap(axes[0], true_data, uniform_pmf, "data", "uniform", "Data vs uniform")
plot_cdf_gap(axes[1], true_data, binomial_pmf, "data", f"Binomial(10, {p_moment.item():.3f})",
             "Data vs moment-matched binomial")
plt.tight_layout()
plt.show()

# %% [markdown]
# This answers the question of section 2, at least in the $W_1$ sense: the uniform model is much closer to the data ($W_1 \approx 0.714$ teeth) than the moment-matched binomial ($W_1 \approx 2.021$ teeth). The uniform CDF rises steadily and never strays far from the data's. The binomial CDF lags behind the data's up to $k = 4$, because the binomial has too little mass at few teeth, and runs ahead of it from $k = 5$ on, because it has too little mass at many teeth. In transport terms, the binomial's sand sits in the middle and would have to be shovelled out to both peaks.
#
# ### Two worked examples
#
# Take $n = 10$ outcomes, the uniform pmf $u_k = \frac{1}{10}$ and the increasing pmf $q_k = \frac{k}{45}$ (note $\sum_{k=0}^{9} k = 45$). Their CDFs are
#
# $$
# F_u(k) = \frac{k+1}{10}, \qquad F_q(k) = \frac{k(k+1)}{90}, \qquad F_u(k) - F_q(k) = \frac{(k+1)(9-k)}{90} \ge 0 .
# $$
#
# Summing over $k = 0, \dots, 9$ and using $\sum_{m=1}^{10} m(10-m) = 10 \cdot 55 - 385 = 165$:
#
# $$
# W_1(u, q) = \frac{165}{90} = \frac{11}{6} \approx 1.8333 .
# $$
#
# For the mirrored pmf $r_k = \frac{9-k}{45}$ one finds $F_r(k) - F_q(k) = \frac{2(k+1)(9-k)}{90}$, so $W_1(r, q) = \frac{11}{3} \approx 3.6667$: twice as far, because the mass must now travel across the whole support.
#
# ## 4. Task: $W_1$ with SciPy (2 points)
#
# SciPy already implements the one-dimensional Wasserstein distance: `scipy.stats.wasserstein_distance(u_values, v_values, u_weights=None, v_weights=None)`. Read its signature carefully. It describes each distribution by **values** (the positions of the samples or support points) and optional **weights** (how much mass sits at each value). Without weights, every value counts as one equally likely sample.
#
# A classic mistake is to call `wasserstein_distance(p_probs, q_probs)`: SciPy then treats the *probabilities* as sample positions (e.g. "a sample at position 0.1, a sample at position 0.2, ...") and returns a number that has nothing to do with the tooth counts.
#
# **Implement** `wasserstein_distance_for_pdf(p_probs, q_probs)`:
#
# * **In:** two pmfs of the same length $n$ over the support $0, 1, \dots, n-1$. They may be torch tensors (possibly ones that require gradients), NumPy arrays or Python lists.
# * **Out:** $W_1$ between them as a plain Python `float`.
# * **How:** use `np.arange(n)` as the values of both distributions and the probabilities as the weights. SciPy works on NumPy arrays, so convert torch tensors first (a tensor that requires gradients must be `.detach()`-ed before NumPy accepts it).

# %% nbgrader={"grade": false, "grade_id": "w1_scipy__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def wasserstein_distance_for_pdf(p_probs, q_probs):
    """Wasserstein-1 distance between two pmfs on the support 0, 1, ..., n-1, computed with SciPy.

    Args:
        p_probs: probabilities of the first distribution, length n (torch tensor, NumPy array or list).
        q_probs: probabilities of the second distribution, same length n.

    Returns:
        W1(p, q) as a Python float (distances measured in units of the support spacing, 1).
    """
    ### BEGIN SOLUTION
    def to_numpy(x):
        if isinstance(x, torch.Tensor):
            x = x.detach().cpu().numpy()
        return np.asarray(x, dtype=np.float64)

    p_np, q_np = to_numpy(p_probs), to_numpy(q_probs)
    support = np.arange(len(p_np), dtype=np.float64)
    return float(wasserstein_distance(support, support, u_weights=p_np, v_weights=q_np))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "w1_scipy__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _uniform10 = torch.full((10,), 0.1)
    _ramp10 = torch.arange(10, dtype=torch.float32) / 45

    _w = wasserstein_distance_for_pdf(_uniform10, _uniform10)
    check_python_float(_w, "wasserstein_distance_for_pdf(uniform, uniform)")
    check_close(_w, 0.0, "W1 between a pmf and itself", atol=1e-6)
    # 11/6 is derived in section 3 (uniform over 0..9 against q_k = k/45)
    check_close(wasserstein_distance_for_pdf(_uniform10, _ramp10), 11 / 6, "W1(uniform, q_k = k/45)",
                atol=1e-6, rtol=1e-5,
                hint="scipy takes values plus weights: pass the tooth counts 0, 1, ..., n-1 as the values "
                     "of both distributions and the probabilities as u_weights and v_weights")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    def _w1_cdf_numpy(a, b):
        """Reference: sum over the support (spacing 1) of |F_a - F_b|, in float64."""
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        return float(np.abs(np.cumsum(a) - np.cumsum(b)).sum())

    _rng = np.random.default_rng(20240101)
    for _n in (5, 11, 20):
        _a = _rng.dirichlet(np.ones(_n))
        _b = _rng.dirichlet(np.ones(_n))
        _expected = _w1_cdf_numpy(_a, _b)
        _got = wasserstein_distance_for_pdf(torch.tensor(_a, dtype=torch.float32),
                                            torch.tensor(_b, dtype=torch.float32))
        check_python_float(_got, f"result for float32 tensors of length {_n}")
        _a32 = torch.tensor(_a, dtype=torch.float32).double().numpy()
        _b32 = torch.tensor(_b, dtype=torch.float32).double().numpy()
        check_close(_got, _w1_cdf_numpy(_a32, _b32), f"W1 of random float32 pmfs of length {_n}", atol=1e-6, rtol=1e-5,
                    hint="use np.arange(n) as values and the probabilities as weights")
        _got = wasserstein_distance_for_pdf(_a, _b)
        check_python_float(_got, f"result for float64 NumPy arrays of length {_n}")
        check_close(_got, _expected, f"W1 of random float64 pmfs of length {_n}", atol=1e-8, rtol=1e-5)
        _got = wasserstein_distance_for_pdf(_a.tolist(), _b.tolist())
        check_python_float(_got, f"result for Python lists of length {_n}")
        check_close(_got, _expected, f"W1 of random pmfs of length {_n} given as lists", atol=1e-8, rtol=1e-5)

    _a_grad = torch.tensor(_rng.dirichlet(np.ones(11)), dtype=torch.float64, requires_grad=True)
    _b_np = _rng.dirichlet(np.ones(11))
    _got = wasserstein_distance_for_pdf(_a_grad, torch.tensor(_b_np))
    check_python_float(_got, "result for a tensor that requires grad")
    check_close(_got, _w1_cdf_numpy(_a_grad.detach().numpy(), _b_np), "W1 with a requires-grad input",
                atol=1e-8, rtol=1e-5, hint="detach a tensor before converting it to NumPy")

    # Mirrored example from section 3: W1((9-k)/45, k/45) = 2 * 165 / 90 = 11/3
    _mirror10 = torch.arange(9, -1, -1, dtype=torch.float32) / 45
    check_close(wasserstein_distance_for_pdf(_mirror10, _ramp10), 11 / 3, "W1((9-k)/45, k/45)", atol=1e-6, rtol=1e-5)
    # Support spacing must be 1 also for other lengths: point masses at 0 and n-1 are n-1 apart.
    _left, _right = np.zeros(7), np.zeros(7)
    _left[0], _right[-1] = 1.0, 1.0
    check_close(wasserstein_distance_for_pdf(_left, _right), 6.0, "W1 of point masses at 0 and 6", atol=1e-8, rtol=1e-6,
                hint="the support is 0, 1, ..., n-1 with spacing 1")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 5. Making $W_1$ differentiable
#
# We want to *fit* the binomial parameter $p$ by gradient descent on $W_1(p_{\mathrm{data}}, q_p)$. That needs $\frac{\partial W_1}{\partial p}$. The SciPy function cannot give it to us: it works on NumPy arrays, and the moment we call `.detach().numpy()` the connection to the computational graph is cut. PyTorch can only differentiate operations that it performed itself on tensors.
#
# The CDF formula from section 3 uses nothing but a cumulative sum, a subtraction, an absolute value and a sum, and PyTorch has all of them:
#
# $$
# W_1(P, Q) = \sum_{k=0}^{n-1} \Big| \underbrace{\textstyle\sum_{j \le k} p_j}_{\texttt{torch.cumsum}} - \textstyle\sum_{j \le k} q_j \Big| .
# $$
#
# The absolute value is not differentiable where its argument is exactly zero; PyTorch then uses the gradient $0$ (a valid subgradient). Away from those points the formula is smooth in $q$, and therefore in $p$ because $q_p$ is a smooth function of $p$.
#
# ### Task: a differentiable $W_1$ (2 + 2 points)
#
# **Implement** `compute_wasserstein_distance(p_probs, q_probs)`:
#
# * **In:** two 1-D torch tensors of the same length $n$ (pmfs on $0, \dots, n-1$, any floating dtype). One or both may require gradients.
# * **Out:** a **0-dimensional** torch tensor holding $\sum_k |F_P(k) - F_Q(k)|$ (a sum, not a mean; spacing $\Delta = 1$), which carries gradients back to the inputs. Because the inputs are pmfs, only the gradient's components *along* the pmfs matter (adding the same constant to every component changes nothing that keeps the total at 1), so the tests compare gradients up to such a constant and through the binomial's parameter $p$: any correct formula passes.
# * **Why:** this is the loss we will minimise with Adam; it must not leave PyTorch (no `.numpy()`, `.item()`, `float(...)` or `.detach()` inside).

# %% nbgrader={"grade": false, "grade_id": "w1_cdf__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def compute_wasserstein_distance(p_probs, q_probs):
    """Differentiable Wasserstein-1 distance between two pmfs on the support 0, 1, ..., n-1.

    Args:
        p_probs: 1-D tensor of probabilities, length n.
        q_probs: 1-D tensor of probabilities, same length n.

    Returns:
        0-dim tensor sum_k |F_p(k) - F_q(k)| where F is the cumulative sum; it keeps the autograd graph.
    """
    ### BEGIN SOLUTION
    cdf_difference = torch.cumsum(p_probs, dim=-1) - torch.cumsum(q_probs, dim=-1)
    return cdf_difference.abs().sum()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "w1_cdf__values", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _uniform10 = torch.full((10,), 0.1)
    _ramp10 = torch.arange(10, dtype=torch.float32) / 45
    _w = compute_wasserstein_distance(_uniform10, _uniform10)
    check_scalar_tensor(_w, "compute_wasserstein_distance(uniform, uniform)")
    check_close(_w, 0.0, "W1 between a pmf and itself", atol=1e-6)
    check_close(compute_wasserstein_distance(_uniform10, _ramp10), 11 / 6, "W1(uniform, q_k = k/45)", atol=1e-5,
                rtol=1e-5,
                hint="sum (not mean) the absolute differences of the two cumulative sums")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy.stats import wasserstein_distance as _scipy_w1

    def _w1_scipy_reference(a, b):
        """Reference through SciPy: support 0..n-1 as values, probabilities as weights."""
        support = np.arange(len(a), dtype=np.float64)
        return float(_scipy_w1(support, support, u_weights=a, v_weights=b))

    _rng = np.random.default_rng(777)
    for _n in (5, 11, 20):
        _a = _rng.dirichlet(np.ones(_n))
        _b = _rng.dirichlet(np.ones(_n))
        _got = compute_wasserstein_distance(torch.tensor(_a), torch.tensor(_b))   # float64 tensors
        check_scalar_tensor(_got, f"result for float64 tensors of length {_n}")
        check_close(_got, _w1_scipy_reference(_a, _b), f"W1 of random float64 pmfs of length {_n}", atol=1e-8,
                    rtol=1e-6)
        _a32, _b32 = torch.tensor(_a, dtype=torch.float32), torch.tensor(_b, dtype=torch.float32)
        _got = compute_wasserstein_distance(_a32, _b32)
        check_scalar_tensor(_got, f"result for float32 tensors of length {_n}")
        check_close(_got, _w1_scipy_reference(_a32.double().numpy(), _b32.double().numpy()),
                    f"W1 of random float32 pmfs of length {_n}", atol=1e-5, rtol=1e-5)

    # Mirrored example from section 3: 11/3
    _mirror10 = torch.arange(9, -1, -1, dtype=torch.float32) / 45
    check_close(compute_wasserstein_distance(_mirror10, _ramp10), 11 / 3, "W1((9-k)/45, k/45)", atol=1e-5, rtol=1e-5)
    # Order of the arguments does not matter for a distance.
    check_close(compute_wasserstein_distance(_ramp10, _mirror10), 11 / 3, "W1(k/45, (9-k)/45)", atol=1e-5, rtol=1e-5)
    # Point masses at 0 and n-1 are n-1 teeth apart.
    _left, _right = torch.zeros(7, dtype=torch.float64), torch.zeros(7, dtype=torch.float64)
    _left[0], _right[-1] = 1.0, 1.0
    check_close(compute_wasserstein_distance(_left, _right), 6.0, "W1 of point masses at 0 and 6", atol=1e-8, rtol=1e-6)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "w1_cdf__gradient", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    _q = torch.tensor([0.2, 0.3, 0.5], requires_grad=True)
    _w = compute_wasserstein_distance(torch.tensor([0.5, 0.25, 0.25]), _q)
    check_scalar_tensor(_w, "compute_wasserstein_distance(p, q) with q.requires_grad", requires_grad=True)
    _w.backward()
    check_true(_q.grad is not None and bool(torch.isfinite(_q.grad).all()), "gradient with respect to q",
               f"expected a finite gradient, got {_q.grad}")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy.stats import binom as _binom

    _data64 = true_data.double()
    _data_np = _data64.numpy()
    _k = np.arange(TOTAL_COUNT + 1)

    def _w1_of_p_numpy(p_value):
        """Reference W1(data, Binomial(10, p)) with SciPy's pmf and the CDF formula, float64."""
        model = _binom.pmf(_k, TOTAL_COUNT, p_value)
        return float(np.abs(np.cumsum(_data_np) - np.cumsum(model)).sum())

    # (a) d W1 / d p through the binomial pmf versus a central finite difference. The CDFs of data and model
    # cross (kinks of the profile) at p ~ 0.206, 0.227, 0.290, 0.348, 0.425, 0.513, 0.599, 0.679, 0.739, 0.767,
    # so p = 0.3, 0.45 and 0.7 are at least 0.01 away from a kink and the profile is smooth within +-h.
    _h = 1e-4
    for _p0 in (0.3, 0.45, 0.7):
        _p = torch.tensor(_p0, dtype=torch.float64, requires_grad=True)
        _model = distrs.Binomial(total_count=TOTAL_COUNT, probs=_p).log_prob(teeth.double()).exp()
        _w = compute_wasserstein_distance(_data64, _model)
        check_scalar_tensor(_w, f"W1(data, Binomial(10, {_p0}))", requires_grad=True)
        _w.backward()
        _fd = (_w1_of_p_numpy(_p0 + _h) - _w1_of_p_numpy(_p0 - _h)) / (2 * _h)
        check_true(_p.grad is not None, f"dW1/dp at p = {_p0}", "no gradient reached p",
                   hint="keep every step of the computation in torch")
        check_close(_p.grad, _fd, f"dW1/dp at p = {_p0} (autograd vs finite difference)", atol=1e-5, rtol=1e-4)

    # (b) gradient with respect to q. With F = cumsum, dW1/dq_j = -sum_{k >= j} sign(F_p(k) - F_q(k)).
    # The last term (k = n-1) compares two CDFs that both end at 1 up to rounding, so its sign is not
    # reliable; it adds the same constant to every component. We therefore compare grad[j] - grad[n-1]
    # with -sum_{j <= k <= n-2} sign(...) and only require grad[n-1] to lie in [-1, 1].
    _rng = np.random.default_rng(4242)
    for _n in (6, 11):
        _a = _rng.dirichlet(np.ones(_n))
        _b = _rng.dirichlet(np.ones(_n))
        _diff = np.cumsum(_a) - np.cumsum(_b)
        assert np.abs(_diff[:-1]).min() > 1e-6, "test data must avoid ties between the CDFs"
        _signs = np.sign(_diff[:-1])
        _expected = -np.array([_signs[_j:].sum() for _j in range(_n - 1)])
        _b_t = torch.tensor(_b, requires_grad=True)
        compute_wasserstein_distance(torch.tensor(_a), _b_t).backward()
        check_true(_b_t.grad is not None and bool(torch.isfinite(_b_t.grad).all()), f"gradient w.r.t. q (n = {_n})",
                   f"expected a finite gradient, got {_b_t.grad}")
        _g = _b_t.grad.numpy()
        # Only differences are compared: the contract takes pmfs, so a constant added to every component
        # (the survival-function form sum_k |S_p(k) - S_q(k)| gives one) is not a mistake.
        check_allclose(_g[:-1] - _g[-1], _expected, f"dW1/dq_j - dW1/dq_(n-1) for n = {_n}", atol=1e-9,
                       hint="W1 = sum_k |cumsum(p)_k - cumsum(q)_k|; use torch.cumsum and .abs()")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### A first look at the gradient
#
# Let us evaluate $W_1$ between the data and $\mathrm{Binomial}(10, p)$ at $p = 0.5$ and ask autograd for $\partial W_1 / \partial p$. Note the `grad_fn` attached to the result: it records how the number was computed, which is what `.backward()` follows.

# %%
p_demo = torch.tensor(0.5, requires_grad=True)
model_demo = distrs.Binomial(total_count=TOTAL_COUNT, probs=p_demo).log_prob(teeth).exp()
w_demo = compute_wasserstein_distance(true_data, model_demo)
w_demo.backward()
print("W1 =", w_demo)
print("dW1/dp at p = 0.5:", p_demo.grad)


# %% [markdown]
# The gradient is **exactly zero**. This is not a bug. Increasing $p$ lowers every model CDF value $F_p(k)$, and at $p = 0.5$ the rate of change is $\frac{\partial F_p(k)}{\partial p} = -10 \binom{9}{k} 2^{-9}$, which is symmetric around $k = 4.5$. For this data, the data CDF lies *above* the model CDF for $k \le 4$ and *below* it for $k \ge 5$, so the terms $|F_{\mathrm{data}}(k) - F_p(k)|$ for $k \le 4$ grow exactly as fast as those for $k \ge 5$ shrink: $\binom{9}{0} + \dots + \binom{9}{4} = 256 = \binom{9}{5} + \dots + \binom{9}{9}$. As we will see in section 7, $p = 0.5$ is a **local maximum** of $W_1$. A gradient-based optimiser started exactly there never moves. Keep this in mind.
#
# ## 6. Task: fitting $p$ by gradient descent (5 points)
#
# Now we put the pieces together. We treat $p$ as a trainable parameter and repeat:
#
# 1. build the model pmf $q_p(k)$ for $k = 0, \dots, 10$ with Pyro;
# 2. compute the loss $d = \mathrm{func}(p_{\mathrm{data}}, q_p)$;
# 3. backpropagate and let the optimiser (Adam) update $p$.
#
# Two practical details:
#
# * $p$ must stay a probability. Before each forward pass we **clamp** it in place to $[\varepsilon, 1 - \varepsilon]$ with $\varepsilon = $ `EPS` $= 10^{-3}$. The clamp is not part of the model, so we do it inside `torch.no_grad()`.
# * Gradients **accumulate** in PyTorch: call `optimizer.zero_grad()` (or set `p.grad = None`) before every `backward()`, otherwise each step would use the sum of all previous gradients.
#
# The function takes the loss as an argument `func`, so that we can reuse it later with the KL divergence. **The argument order is part of the contract:** call `func(true_data, model_pmf)`, data first, model second. For $W_1$ the order does not matter, but the KL divergence is not symmetric, and the tests will pass a loss for which the order does matter.
#
# **Implement** the body of the training loop in `optimize_binomial_distribution(func, p, true_data, lr, epochs)`:
#
# * **In:** `func(data_pmf, model_pmf)` returning a 0-dim tensor; the starting value `p` (a 0-dim tensor); `true_data`, the data pmf on $0, \dots, n-1$ (so the binomial has `total_count = len(true_data) - 1`); the Adam learning rate `lr`; the number of `epochs`.
# * **Out:** the tuple `(p, history)`: the fitted `p` as a 0-dim tensor (clamped once more to $[\varepsilon, 1-\varepsilon]$), and a dict of three lists, each of length `epochs`: `history['epoch'][i] = i`, `history['dist'][i]` the loss of epoch `i` as a Python float, `history['p'][i]` the value of `p` (Python float) *that was used to compute* `history['dist'][i]`, i.e. after the clamp and before the optimiser step.

# %% nbgrader={"grade": false, "grade_id": "optimize__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def optimize_binomial_distribution(func, p, true_data, lr=1e-3, epochs=1000):
    """Fit the success probability of a Binomial(len(true_data) - 1, p) model by minimising func with Adam.

    Args:
        func: loss with signature func(data_pmf, model_pmf) -> 0-dim tensor; always called in this order.
        p: starting value of the binomial parameter, a 0-dim tensor (it is copied, not modified).
        true_data: 1-D tensor, the data pmf on the support 0, 1, ..., len(true_data) - 1.
        lr: learning rate of torch.optim.Adam.
        epochs: number of optimisation steps.

    Returns:
        (p, history) where p is the fitted parameter as a 0-dim tensor in [EPS, 1 - EPS] and history is a
        dict with lists of length `epochs`:
            history['epoch'][i] == i (int),
            history['dist'][i]  == the loss of epoch i (Python float),
            history['p'][i]     == the value of p used to compute that loss (Python float, after clamping,
                                   before the optimiser step).
    """
    p = torch.as_tensor(p, dtype=torch.get_default_dtype()).detach().clone().requires_grad_(True)  # a fresh leaf
    history = defaultdict(list)
    optimizer = torch.optim.Adam([p], lr=lr)
    # For every epoch i:
    #   1. clamp p in place to [EPS, 1 - EPS] inside torch.no_grad()
    #   2. build the binomial with distrs.Binomial (total_count = len(true_data) - 1) and evaluate its pmf
    #      on the support 0, 1, ..., total_count with .log_prob(support).exp()
    #   3. d = func(true_data, model_pmf)
    #   4. zero the gradients, backpropagate d, take an optimiser step
    #   5. append i, d and p (as Python numbers) to history['epoch'], history['dist'], history['p']
    ### BEGIN SOLUTION
    total_count = len(true_data) - 1
    support = torch.arange(total_count + 1, dtype=true_data.dtype)
    for i in range(epochs):
        with torch.no_grad():
            p.clamp_(EPS, 1 - EPS)
        p_used = p.item()
        model_pmf = distrs.Binomial(total_count=total_count, probs=p).log_prob(support).exp()
        d = func(true_data, model_pmf)
        optimizer.zero_grad()
        d.backward()
        optimizer.step()
        history['epoch'].append(i)
        history['dist'].append(d.item())
        history['p'].append(p_used)
    ### END SOLUTION
    with torch.no_grad():
        p.clamp_(EPS, 1 - EPS)
    return p, history


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "optimize__basins", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    def _w1_loss(a, b):
        """The graded tests use their own W1 so that this cell checks only the optimiser."""
        return (torch.cumsum(a, 0) - torch.cumsum(b, 0)).abs().sum()

    _p_fit, _hist = optimize_binomial_distribution(_w1_loss, torch.tensor(0.3), true_data, lr=1e-3, epochs=5)
    check_scalar_tensor(_p_fit, "returned p")
    check_true(isinstance(_hist, dict), "returned history", f"expected a dict, got {type(_hist).__name__}")
    check_true(set(_hist.keys()) >= {"epoch", "dist", "p"}, "history keys",
               f"expected the keys 'epoch', 'dist' and 'p', got {sorted(_hist.keys())}")
    check_true(abs(_p_fit.item() - 0.3) > 1e-4, "returned p after 5 epochs from 0.3",
               "p did not move; are you calling optimizer.step() after backward()?")
    # Data drawn exactly from Binomial(5, 0.3): six outcomes 0..5, so the model has 5 trials, and a fit with a
    # smooth loss (the squared CDF gaps) must find p = 0.3 itself.
    _five = distrs.Binomial(total_count=5, probs=torch.tensor(0.3)).log_prob(torch.arange(6.0)).exp()
    _p_five, _ = optimize_binomial_distribution(lambda a, b: ((torch.cumsum(a, 0) - torch.cumsum(b, 0)) ** 2).sum(),
                                                torch.tensor(0.6), _five, lr=0.01, epochs=300)
    check_close(_p_five, 0.3, "p fitted to the pmf of Binomial(5, 0.3) (6 outcomes; lr=0.01, 300 epochs from 0.6)",
                atol=0.01, rtol=0,
                hint="a pmf with n + 1 outcomes 0, ..., n comes from a binomial with n trials: total_count = "
                     "len(true_data) - 1, not len(true_data); and step downhill (zero_grad, backward, step)")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy.stats import binom as _binom

    _data_np = true_data.double().numpy()

    def _basin_minimiser(lo, hi, points=40001):
        """Dense grid search of W1(data, Binomial(10, p)) on [lo, hi] (NumPy CDF formula, SciPy pmf)."""
        grid = np.linspace(lo, hi, points)
        model = _binom.pmf(np.arange(TOTAL_COUNT + 1)[None, :], TOTAL_COUNT, grid[:, None])
        w = np.abs(np.cumsum(model, axis=1) - np.cumsum(_data_np)[None, :]).sum(axis=1)
        best = int(np.argmin(w))
        return float(grid[best]), float(w[best])

    # The profile p -> W1 has local maxima near 0.393 and at 0.5, so these brackets each contain one basin.
    for _start, (_lo, _hi) in [(0.25, (0.2, 0.39)), (0.45, (0.40, 0.49)), (0.6, (0.505, 0.7))]:
        _target, _ = _basin_minimiser(_lo, _hi)
        _p_fit, _hist = optimize_binomial_distribution(_w1_loss, torch.tensor(_start), true_data, lr=1e-3, epochs=600)
        check_scalar_tensor(_p_fit, f"returned p (start {_start})")
        check_true(EPS <= _p_fit.item() <= 1 - EPS, f"returned p (start {_start})",
                   f"expected a value in [EPS, 1 - EPS], got {_p_fit.item()}",
                   hint="clamp p once more before returning")
        check_close(_p_fit, _target, f"fitted p from start {_start} (lr=1e-3, 600 epochs)", atol=3e-3, rtol=0,
                    hint="gradient *descent*: zero_grad, backward, step; total_count = len(true_data) - 1")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "optimize__history", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    def _w1_loss(a, b):
        return (torch.cumsum(a, 0) - torch.cumsum(b, 0)).abs().sum()

    _epochs = 7
    _p_fit, _hist = optimize_binomial_distribution(_w1_loss, torch.tensor(0.3), true_data, lr=1e-3, epochs=_epochs)
    for _key in ("epoch", "dist", "p"):
        check_true(_key in _hist, "history", f"missing key {_key!r}")
        check_true(len(_hist[_key]) == _epochs, f"history[{_key!r}]",
                   f"expected {_epochs} entries (one per epoch), got {len(_hist[_key])}")
    check_true(isinstance(_hist["dist"][0], float), "history['dist'][0]",
               f"expected a Python float, got {type(_hist['dist'][0]).__name__}", hint="use d.item()")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy.stats import binom as _binom

    _data_np = true_data.double().numpy()
    _k = np.arange(TOTAL_COUNT + 1)

    def _w1_of_p(p_value):
        return float(np.abs(np.cumsum(_data_np) - np.cumsum(_binom.pmf(_k, TOTAL_COUNT, p_value))).sum())

    _grid = np.linspace(0.2, 0.39, 40001)
    _w_grid = np.abs(np.cumsum(_binom.pmf(_k[None, :], TOTAL_COUNT, _grid[:, None]), axis=1)
                     - np.cumsum(_data_np)[None, :]).sum(axis=1)
    _w_min = float(_w_grid.min())      # about 1.9152, at p about 0.3477

    _epochs = 300
    _p_fit, _hist = optimize_binomial_distribution(_w1_loss, torch.tensor(0.25), true_data, lr=1e-3, epochs=_epochs)
    for _key in ("epoch", "dist", "p"):
        check_true(isinstance(_hist[_key], list) and len(_hist[_key]) == _epochs, f"history[{_key!r}]",
                   f"expected a list of {_epochs} entries, got {type(_hist[_key]).__name__} of length "
                   f"{len(_hist[_key])}")
    check_true(_hist["epoch"] == list(range(_epochs)), "history['epoch']", "expected [0, 1, ..., epochs - 1]")
    for _key in ("dist", "p"):
        check_true(all(isinstance(_v, float) for _v in _hist[_key]), f"history[{_key!r}]",
                   "expected Python floats only", hint="convert with .item()")
    check_true(all(EPS <= _v <= 1 - EPS for _v in _hist["p"]), "history['p']",
               "every recorded p must lie in [EPS, 1 - EPS] (it is recorded after the clamp)")
    # Starts outside [EPS, 1 - EPS]: the clamp before the first forward pass is what brings p back, so the first
    # recorded p is the bound itself (a fit that never clamps would ask Pyro for a binomial with p outside [0, 1]).
    for _outside, _bound in ((1.2, 1 - EPS), (-0.4, EPS)):
        _p_out, _hist_out = optimize_binomial_distribution(_w1_loss, torch.tensor(_outside), true_data, lr=1e-3,
                                                           epochs=3)
        check_close(_hist_out["p"][0], _bound, f"history['p'][0] for a start at {_outside}", atol=1e-7, rtol=0,
                    hint="clamp p in place to [EPS, 1 - EPS] under torch.no_grad() before every forward pass")
        check_true(EPS <= _p_out.item() <= 1 - EPS, f"returned p for a start at {_outside}",
                   f"expected a value in [EPS, 1 - EPS], got {_p_out.item()}")
    # ... and before *every* forward pass: a loss that rewards large p (minus the model's mean) pushes p past
    # 1 - EPS in every step, and only a clamp before each forward pass brings it back each time (1e-6: float32's
    # 1 - EPS is 0.99900001).
    def _reward_large_p(a, b):
        # minus the mean of both arguments (the data's is a constant), so the order of the arguments does not matter
        return -((a + b) * torch.arange(len(b), dtype=b.dtype)).sum()

    _, _hist_up = optimize_binomial_distribution(_reward_large_p, torch.tensor(0.99), true_data, lr=1e-2, epochs=5)
    check_true(all(_v <= 1 - EPS + 1e-6 for _v in _hist_up["p"]), "history['p'] for a loss that pushes p above 1 - EPS",
               f"expected every recorded p in [EPS, 1 - EPS], got {_hist_up['p']}",
               hint="clamp p in place before every forward pass, inside the loop")
    # Each recorded p must be the one that produced the recorded loss (record before optimizer.step()).
    for _i in (0, 1, 2, 10, 50):
        check_close(_hist["dist"][_i], _w1_of_p(_hist["p"][_i]), f"history['dist'][{_i}] vs W1 at history['p'][{_i}]",
                    atol=1e-4, rtol=0, hint="record the value of p used to compute d, before optimizer.step()")
    check_true(min(_hist["dist"][-50:]) < _hist["dist"][0], "history['dist']", "the loss did not go down")
    check_close(_hist["dist"][-1], _w_min, "last recorded loss (start 0.25, 300 epochs)", atol=5e-3, rtol=0)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "optimize__other_distance", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    def _kl_data_model(a, b):
        """KL(a || b) for strictly positive pmfs: sum_k a_k (log a_k - log b_k)."""
        return (a * (a.log() - b.log())).sum()

    _p_fit, _hist = optimize_binomial_distribution(_kl_data_model, torch.tensor(0.3), true_data, lr=1e-2, epochs=5)
    check_scalar_tensor(_p_fit, "returned p when func is a KL divergence")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # The minimiser of KL(data || Binomial(10, p)) is the maximum-likelihood p = mean teeth / 10 = 0.451.
    # KL(model || data) would instead be minimised near 0.185 (or 0.827), so swapping the arguments fails here.
    _mle = float((np.arange(TOTAL_COUNT + 1) * true_data.double().numpy()).sum() / TOTAL_COUNT)
    for _start in (0.2, 0.8):
        _p_fit, _hist = optimize_binomial_distribution(_kl_data_model, torch.tensor(_start), true_data, lr=1e-2,
                                                       epochs=300)
        check_close(_p_fit, _mle, f"p fitted with KL(data || model) from start {_start}", atol=3e-3, rtol=0,
                    hint="call func(true_data, model_pmf): data first, model second")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ### A first fit
#
# Let us fit the binomial with $W_1$ from the start $p = 0.4$ with the default settings (Adam, learning rate $10^{-3}$, 1000 epochs), and look at the result.

# %%
p_first, history_first = optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(0.4), true_data)
print(f"fitted p = {p_first.item():.4f}, W1 = {history_first['dist'][-1]:.4f}")

with torch.no_grad():
    first_pmf = distrs.Binomial(total_count=TOTAL_COUNT, probs=p_first).log_prob(teeth).exp()
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
bar_compare(teeth, {"data": true_data, f"Binomial(10, {p_first.item():.3f})": first_pmf}, ax=axes[0],
            xlabel="number of teeth $k$", ylabel="probability", title="Fit with $W_1$ from $p = 0.4$")
axes[1].plot(history_first["epoch"], history_first["dist"])
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("$W_1$(data, model)")
axes[1].set_title("Training curve")
plt.tight_layout()
plt.show()

# %% [markdown]
# The loss went down and then flattened, so the optimiser converged. But did it find the *best* binomial? A training curve cannot tell: it only shows that we reached the bottom of *some* valley. With a single parameter we can simply look at the whole landscape.
#
# ## 7. The $W_1$ profile
#
# The next cell evaluates $W_1(p_{\mathrm{data}}, \mathrm{Binomial}(10, p))$ on a grid of 400 values of $p$ in $[\varepsilon, 1 - \varepsilon]$ and plots it. No gradients are needed here, so the loop runs under `torch.no_grad()`.

# %%
profile_ps = torch.linspace(EPS, 1 - EPS, 400)
with torch.no_grad():
    profile_ws = torch.stack([
        compute_wasserstein_distance(true_data, distrs.Binomial(total_count=TOTAL_COUNT, probs=p).log_prob(teeth).exp())
        for p in profile_ps
    ]).numpy()
profile_ps = profile_ps.numpy()

# grid points lower than both neighbours are (approximately) local minima
local_min = [i for i in range(1, len(profile_ps) - 1)
             if profile_ws[i] < profile_ws[i - 1] and profile_ws[i] < profile_ws[i + 1]]
global_min = int(np.argmin(profile_ws))

fig, ax = plt.subplots()
ax.plot(profile_ps, profile_ws, color="C0", label="$W_1$(data, Binomial(10, $p$))")
ax.scatter(profile_ps[local_min], profile_ws[local_min], color="C1", zorder=3, label="local minima")
ax.scatter([profile_ps[global_min]], [profile_ws[global_min]], s=150, marker="*", color="C3", zorder=4,
           label=f"global minimum, p = {profile_ps[global_min]:.3f}")
ax.axvline(0.5, color="grey", linestyle="--", label="p = 0.5 (symmetric binomial)")
ax.set_xlabel("binomial parameter $p$")
ax.set_ylabel("$W_1$ between data and Binomial(10, $p$)")
ax.set_title("Wasserstein profile")
ax.legend()
plt.show()

fig, ax = plt.subplots()
zoom = (profile_ps > 0.25) & (profile_ps < 0.65)
ax.plot(profile_ps[zoom], profile_ws[zoom], color="C0")
ax.scatter(profile_ps[local_min], profile_ws[local_min], color="C1", zorder=3)
ax.axvline(0.5, color="grey", linestyle="--")
ax.set_xlabel("binomial parameter $p$")
ax.set_ylabel("$W_1$ between data and Binomial(10, $p$)")
ax.set_title("Zoom on the region of the minima")
plt.show()
for i in local_min:
    print(f"local minimum near p = {profile_ps[i]:.3f}, W1 = {profile_ws[i]:.4f}")

# %% [markdown]
# The profile is **not convex**. In the zoomed plot you should see three valleys, with minima near $p \approx 0.348$ (the global one, $W_1 \approx 1.915$), $p \approx 0.425$ ($W_1 \approx 1.942$) and $p \approx 0.513$ ($W_1 \approx 2.075$), separated by bumps near $p \approx 0.393$ and at exactly $p = 0.5$, the symmetric point where we found a zero gradient.
#
# Why the valleys? Write $W_1 = \sum_k |F_{\mathrm{data}}(k) - F_p(k)|$. As $p$ grows, each model CDF value $F_p(k)$ decreases smoothly, and at some $p$ it crosses the data value $F_{\mathrm{data}}(k)$. At that point the term $|F_{\mathrm{data}}(k) - F_p(k)|$ has a V-shaped kink and the slope of $W_1$ jumps. Between two crossings $W_1$ is smooth; at a crossing the slope can switch from negative to positive, and that creates a sharp local minimum. The minima above sit exactly at the crossings for $k = 3, 4, 5$. A gradient method can only see the slope where it stands, so it walks down into whichever valley it starts in. In the first fit we started at 0.4 and landed in the middle valley, not the best one.
#
# The 400-point grid above is too coarse to show the kinks clearly. The next cell evaluates the profile on a grid that is twenty times finer, marks every $p$ at which a model CDF value $F_p(k)$ crosses the data value $F_{\mathrm{data}}(k)$, and plots the slope $dW_1/dp$ (a finite difference between neighbouring grid points) underneath. Like the CDF figure in section 3, it uses plain NumPy and Pyro, not your functions.

# %%
fine_ps = np.linspace(0.15, 0.85, 7001)
with torch.no_grad():   # one batched Binomial: row i is the pmf of Binomial(10, fine_ps[i])
    fine_pmfs = distrs.Binomial(total_count=TOTAL_COUNT, probs=torch.tensor(fine_ps)[:, None]).log_prob(
        teeth.double()).exp().numpy()
fine_gaps = np.cumsum(fine_pmfs, axis=1) - np.cumsum(true_data.double().numpy())   # F_p(k) - F_data(k)
fine_ws = np.abs(fine_gaps).sum(axis=1)
fine_slope = np.diff(fine_ws) / np.diff(fine_ps)        # slope between neighbouring grid points
slope_ps = (fine_ps[1:] + fine_ps[:-1]) / 2
# kinks: where F_p(k) - F_data(k) changes sign (k = 10 never does: both CDFs end at 1)
kinks = [(k, fine_ps[i]) for k in range(TOTAL_COUNT) for i in np.nonzero(np.diff(np.sign(fine_gaps[:, k])))[0]]
fine_min = [i for i in range(1, len(fine_ps) - 1) if fine_ws[i] < fine_ws[i - 1] and fine_ws[i] < fine_ws[i + 1]]

fig, axes = plt.subplots(2, 1, figsize=(11, 7.5), sharex=True)
axes[0].plot(fine_ps, fine_ws, color="C0", label="$W_1$(data, Binomial(10, $p$))")
axes[0].scatter(fine_ps[fine_min], fine_ws[fine_min], color="C3", zorder=3, label="local minima")
axes[1].plot(slope_ps, fine_slope, color="C0", label="slope $dW_1/dp$")
axes[1].axhline(0.0, color="black", linewidth=0.8, label="zero slope")
kink_label = r"kink: $F_p(k) = F_{\mathrm{data}}(k)$"
for j, (k, p_kink) in enumerate(kinks):
    for ax in axes:
        ax.axvline(p_kink, color="grey", linestyle=":", label=kink_label if j == 0 else None)
    axes[0].annotate(f"k={k}", (p_kink, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -12),
                     textcoords="offset points", fontsize=8, color="grey")
axes[0].set_ylabel("$W_1$ between data and Binomial(10, $p$)")
axes[0].set_title("Kinks of the Wasserstein profile: one wherever a model CDF value crosses the data's")
axes[0].legend(loc="lower right")
axes[1].set_xlabel("binomial parameter $p$")
axes[1].set_ylabel("slope $dW_1/dp$ (teeth per unit of $p$)")
axes[1].legend(loc="lower right")
plt.tight_layout()
plt.show()
for k, p_kink in kinks:
    print(f"F_p({k}) crosses F_data({k}) at p = {p_kink:.3f}")

# %% [markdown]
# Every dotted line is a kink, and the bottom panel shows what that means: the slope **jumps** there, while between kinks it changes smoothly. The jump is always upwards. As $p$ grows, $F_p(k)$ decreases steadily, so the term $|F_{\mathrm{data}}(k) - F_p(k)|$ first shrinks and, once $F_p(k)$ has passed $F_{\mathrm{data}}(k)$, grows again: a V that bends upwards. Most kinks only change how steeply $W_1$ falls or rises. At three of them, for $k = 3, 4, 5$, the jump carries the slope from below zero to above it, and each of those kinks is a sharp local minimum. The bumps between the valleys (near $p \approx 0.393$ and at $p = 0.5$) are not kinks: there the slope passes through zero smoothly, which is why autograd returned a gradient of exactly zero at $p = 0.5$.
#
# Back to the CDFs. At a minimum on a kink the model's staircase passes exactly through the data's at one tooth count, so the shaded strip over that interval vanishes: at the global minimum it is the strip over $[3, 4)$.

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
for ax, i in zip(axes, fine_min[:2]):
    k = min(kinks, key=lambda kink: abs(kink[1] - fine_ps[i]))[0]   # the tooth count whose CDF values meet here
    with torch.no_grad():
        model_pmf = distrs.Binomial(total_count=TOTAL_COUNT, probs=torch.tensor(fine_ps[i])).log_prob(teeth).exp()
    plot_cdf_gap(ax, true_data, model_pmf, "data", f"Binomial(10, {fine_ps[i]:.3f})",
                 f"Local minimum at p = {fine_ps[i]:.3f} (gap at k = {k} closed)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 8. Task: where does gradient descent land? (1 point)
#
# Run the optimiser with $W_1$ (`compute_wasserstein_distance`) from each of the three starting points below, one in each valley, with the default learning rate and number of epochs.
#
# * **In:** `start_points`, three floats.
# * **Out:** `landing_points`, a dict that maps each start (the float itself, as the key) to the fitted $p$ as a Python `float`; and `landing_histories`, the same keys mapped to the history dicts, which we use for a plot.
# * **Why:** to see with your own eyes that the answer of gradient descent on a non-convex loss depends on where it starts.

# %% nbgrader={"grade": false, "grade_id": "landing__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
start_points = [0.2, 0.45, 0.6]
landing_points = {}      # start (float) -> fitted p (Python float)
landing_histories = {}   # start (float) -> history dict returned by optimize_binomial_distribution
### BEGIN SOLUTION
for start in start_points:
    p_fit, history = optimize_binomial_distribution(compute_wasserstein_distance, torch.tensor(start), true_data)
    landing_points[start] = p_fit.item()
    landing_histories[start] = history
### END SOLUTION
for start, p_end in landing_points.items():
    print(f"start {start:.2f} -> landed at p = {p_end:.4f}")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "landing__tests", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    check_true(isinstance(landing_points, dict), "landing_points",
               f"expected a dict, got {type(landing_points).__name__}")
    check_true(sorted(landing_points.keys()) == [0.2, 0.45, 0.6], "keys of landing_points",
               f"expected the three start points [0.2, 0.45, 0.6], got {sorted(landing_points.keys())}")
    for _start, _p_end in landing_points.items():
        check_python_float(_p_end, f"landing_points[{_start}]")
    # Landed means: at the bottom of a valley of the W1 profile, so a step of 0.01 either way goes up.
    _data64 = true_data.double()

    def _w1_at(p):
        _model = distrs.Binomial(total_count=TOTAL_COUNT, probs=torch.tensor(p, dtype=torch.float64))
        return float((torch.cumsum(_model.log_prob(teeth.double()).exp(), 0) - torch.cumsum(_data64, 0)).abs().sum())

    for _start, _p_end in landing_points.items():
        check_true(min(_w1_at(_p_end - 0.01), _w1_at(_p_end + 0.01)) > _w1_at(_p_end),
                   f"landing point {_p_end:.4f} from start {_start}",
                   "expected the bottom of a valley of W1(data, Binomial(10, p)), where a step of 0.01 either way "
                   "increases W1; from here W1 still goes down on one side",
                   hint="run each fit from torch.tensor(start) with the default lr and number of epochs, so that "
                        "it has time to land")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy.stats import binom as _binom

    _data_np = true_data.double().numpy()

    def _basin_minimiser(lo, hi, points=40001):
        grid = np.linspace(lo, hi, points)
        model = _binom.pmf(np.arange(TOTAL_COUNT + 1)[None, :], TOTAL_COUNT, grid[:, None])
        w = np.abs(np.cumsum(model, axis=1) - np.cumsum(_data_np)[None, :]).sum(axis=1)
        return float(grid[int(np.argmin(w))])

    check_true(len(landing_points) == 3, "landing_points", f"expected exactly 3 entries, got {len(landing_points)}")
    # landing_histories: the history dict of each run, as the optimiser returned it (section 8 plots them).
    check_true(isinstance(landing_histories, dict) and sorted(landing_histories) == [0.2, 0.45, 0.6],
               "landing_histories", "expected a dict with the three start points as keys",
               hint="store the history that optimize_binomial_distribution returns for each start")
    for _start in (0.2, 0.45, 0.6):
        _h = landing_histories[_start]
        check_true(isinstance(_h, dict) and all(len(_h.get(_k, [])) > 1 for _k in ("epoch", "dist", "p")),
                   f"landing_histories[{_start}]", "expected the history dict of the run (keys 'epoch', 'dist', 'p')")
        check_close(_h["p"][0], _start, f"landing_histories[{_start}]['p'][0]", atol=1e-2, rtol=0,
                    hint="the history of the run that started at this point")
        check_close(_h["p"][-1], landing_points[_start], f"landing_histories[{_start}]['p'][-1]", atol=2e-3, rtol=0,
                    hint="the history of the run that landed at landing_points[start]")
    for _start, (_lo, _hi) in [(0.2, (0.2, 0.39)), (0.45, (0.40, 0.49)), (0.6, (0.505, 0.7))]:
        check_close(landing_points[_start], _basin_minimiser(_lo, _hi), f"landing point from start {_start}",
                    atol=3e-3, rtol=0,
                    hint="start from torch.tensor(start) and use the default lr and epochs")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %%
fig, ax = plt.subplots()
ax.plot(profile_ps, profile_ws, color="grey", alpha=0.6, label="$W_1$ profile")
for colour, (start, hist) in zip(["C0", "C1", "C2"], landing_histories.items()):
    ax.plot(hist["p"], hist["dist"], color=colour, linewidth=3, alpha=0.8, label=f"run from p = {start}")
    ax.scatter([hist["p"][0]], [hist["dist"][0]], color=colour, marker="o", s=60, zorder=3)
    ax.scatter([hist["p"][-1]], [hist["dist"][-1]], color=colour, marker="X", s=120, zorder=3)
ax.set_xlim(0.15, 0.7)
ax.set_ylim(1.85, 2.8)
ax.set_xlabel("binomial parameter $p$")
ax.set_ylabel("$W_1$ between data and Binomial(10, $p$)")
ax.set_title("Gradient descent trajectories (o = start, X = end)")
ax.legend()
plt.show()


# %% [markdown]
# Each run slides down its own valley and stops at the bottom; only the run from $p = 0.2$ finds the global minimum. With a larger learning rate, Adam's momentum can carry $p$ over a bump into a neighbouring valley, which can help or hurt; on a non-convex loss, the learning rate and the initialisation are part of the answer. This is a one-parameter toy version of what happens when training generative models with millions of parameters.
#
# ## 9. The Kullback–Leibler divergence
#
# The KL divergence of $Q$ from $P$ on a finite set of outcomes is
#
# $$
# \mathrm{KL}(P \,\|\, Q) = \sum_k p_k \log \frac{p_k}{q_k} = \sum_k p_k \left( \log p_k - \log q_k \right).
# $$
#
# It is non-negative, zero only when $P = Q$, and **not symmetric**: in general $\mathrm{KL}(P\|Q) \ne \mathrm{KL}(Q\|P)$. Unlike $W_1$ it compares the two pmfs outcome by outcome and ignores how far apart the outcomes are: putting the missing mass next door or at the other end of the support costs the same.
#
# Two edge cases need a convention:
#
# * $p_k = 0$: the term is $0 \cdot \log \frac{0}{q_k}$, which is defined as $0$ (the limit of $x \log x$ as $x \to 0$). An outcome that never happens under $P$ contributes nothing.
# * $q_k = 0 < p_k$: the term is $+\infty$. $Q$ says impossible what $P$ says happens.
#
# The first case is a numerical trap. Computed naively, `p * (p.log() - q.log())` gives `0 * (-inf) = nan`. Masking afterwards with `torch.where(p > 0, ..., 0)` fixes the value, but not always the gradient, because the backward pass still differentiates the masked-out branch: for `torch.where(p > 0, p * (p.log() - q.log()), 0)` the gradient with respect to `q` (the one our fit uses) stays finite, while the gradient with respect to `p` is `nan` (the derivative of $p \log p$ at $p = 0$ is $-\infty$, times the mask's 0); written as `p * (p / q).log()`, even the gradient with respect to `q` is `nan`. Two safe options: `torch.xlogy(x, y)`, which computes $x \log y$ and returns $0$ when $x = 0$, or replace the zeros in $p$ *before* taking the logarithm, e.g. `torch.where(p > 0, p, torch.ones_like(p))`.
#
# ### Task: the KL divergence, zeros included (2 points)
#
# **Implement** `discrete_kl_divergence(p_probs, q_probs)`:
#
# * **In:** two 1-D torch tensors of the same length, pmfs; `p_probs` may contain zeros.
# * **Out:** a 0-dim tensor $\mathrm{KL}(P\|Q)$, with the first argument as $P$, that carries gradients (finite gradients with respect to `q_probs` also when `p_probs` has zeros). As for $W_1$, the gradient with respect to `q_probs` is compared up to a constant added to every component.
# * **Why:** we will fit the binomial by minimising $\mathrm{KL}(p_{\mathrm{data}} \| q_p)$ and compare with the $W_1$ fit.

# %% nbgrader={"grade": false, "grade_id": "kl__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def discrete_kl_divergence(p_probs, q_probs):
    """KL(p || q) = sum_k p_k log(p_k / q_k) for two pmfs, with the convention 0 * log(0 / q) = 0.

    Args:
        p_probs: 1-D tensor, the first distribution P (may contain zeros).
        q_probs: 1-D tensor, the second distribution Q, same length.

    Returns:
        0-dim tensor KL(P || Q) that keeps the autograd graph (+inf where q_k = 0 < p_k).
    """
    ### BEGIN SOLUTION
    return (torch.xlogy(p_probs, p_probs) - torch.xlogy(p_probs, q_probs)).sum()
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "kl__tests", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    import math

    _p = torch.tensor([0.9, 0.1])
    _q = torch.tensor([0.5, 0.5], requires_grad=True)
    _kl = discrete_kl_divergence(_p, _q)
    check_scalar_tensor(_kl, "discrete_kl_divergence(p, q) with q.requires_grad", requires_grad=True)
    check_close(discrete_kl_divergence(_p, _p), 0.0, "KL(p || p)", atol=1e-6)
    # KL([0.9, 0.1] || [0.5, 0.5]) = 0.9 log 1.8 + 0.1 log 0.2
    check_close(_kl, 0.9 * math.log(1.8) + 0.1 * math.log(0.2), "KL([0.9, 0.1] || [0.5, 0.5])", atol=1e-5, rtol=1e-5,
                hint="the first argument is P: sum_k p_k log(p_k / q_k)")
    # An outcome that P never produces: its term is 0 log(0 / q) = 0, and the gradient must stay finite too.
    _pz = torch.tensor([0.25, 0.75, 0.0])
    _qz = torch.tensor([0.5, 0.25, 0.25], requires_grad=True)
    _klz = discrete_kl_divergence(_pz, _qz)
    check_close(_klz, 0.25 * math.log(0.5) + 0.75 * math.log(3.0), "KL([0.25, 0.75, 0] || [0.5, 0.25, 0.25])",
                atol=1e-5, rtol=1e-5,
                hint="where p_k = 0 the term 0 * log(0 / q_k) is 0 by convention, but computed naively it is "
                     "0 * (-inf) = nan; use torch.xlogy, or replace the zeros of p before taking the log")
    _klz.backward()
    check_true(_qz.grad is not None and bool(torch.isfinite(_qz.grad).all()),
               "gradient of KL([0.25, 0.75, 0] || q) with respect to q",
               f"expected finite values, got {_qz.grad}",
               hint="masking the nan afterwards (torch.where) leaves it in the backward pass; avoid computing it")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    from scipy.stats import entropy as _scipy_entropy   # entropy(p, q) = sum p log(p / q)

    # The reverse direction has a different value: KL([0.5, 0.5] || [0.9, 0.1]) = 0.5 log(0.5/0.9) + 0.5 log 5.
    check_close(discrete_kl_divergence(_q.detach(), _p), 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(5.0),
                "KL([0.5, 0.5] || [0.9, 0.1])", atol=1e-5, rtol=1e-5)

    _rng = np.random.default_rng(99)
    for _n in (3, 11, 25):
        _a = _rng.dirichlet(np.ones(_n))
        _b = _rng.dirichlet(np.ones(_n))
        _got = discrete_kl_divergence(torch.tensor(_a), torch.tensor(_b))
        check_scalar_tensor(_got, f"KL of float64 tensors of length {_n}")
        check_close(_got, float(_scipy_entropy(_a, _b)), f"KL of random pmfs of length {_n}", atol=1e-8, rtol=1e-6)
        _a32, _b32 = torch.tensor(_a, dtype=torch.float32), torch.tensor(_b, dtype=torch.float32)
        check_close(discrete_kl_divergence(_a32, _b32),
                    float(_scipy_entropy(_a32.double().numpy(), _b32.double().numpy())),
                    f"KL of random float32 pmfs of length {_n}", atol=1e-5, rtol=1e-4)

    # Zeros in p: KL([0.5, 0, 0.5] || [0.25, 0.5, 0.25]) = 2 * 0.5 * log 2 = log 2,
    # gradient dKL/dq = -p/q = [-2, 0, -2].
    _p0 = torch.tensor([0.5, 0.0, 0.5], dtype=torch.float64)
    _q0 = torch.tensor([0.25, 0.5, 0.25], dtype=torch.float64, requires_grad=True)
    _kl0 = discrete_kl_divergence(_p0, _q0)
    check_scalar_tensor(_kl0, "KL with zeros in p", requires_grad=True)
    check_true(bool(torch.isfinite(_kl0)), "KL with zeros in p", f"expected a finite value, got {_kl0.item()}",
               hint="0 * log(0 / q) is defined as 0; use torch.xlogy or replace zeros before taking the log")
    check_close(_kl0, math.log(2.0), "KL([0.5, 0, 0.5] || [0.25, 0.5, 0.25])", atol=1e-8, rtol=1e-8)
    _kl0.backward()
    check_true(_q0.grad is not None and bool(torch.isfinite(_q0.grad).all()),
               "gradient of KL w.r.t. q when p has zeros",
               f"expected finite values, got {_q0.grad}", hint="torch.where does not stop nan in the backward pass")
    # Compared up to a constant on every component (the contract takes pmfs): -p/q minus its mean.
    check_allclose(_q0.grad - _q0.grad.mean(), [-2 / 3, 4 / 3, -2 / 3], "dKL/dq = -p/q, up to a constant",
                   atol=1e-8, hint="the gradient of -sum_k p_k log q_k with respect to q_k is -p_k / q_k")

    # Through the binomial, where the gradient is fully determined: with m = sum_k k data_k and
    # s = sum_k data_k, d KL(data || Binomial(10, p)) / dp = -sum_k data_k (k / p - (10 - k) / (1 - p))
    # = -m / p + (10 s - m) / (1 - p).
    _d = true_data.double()
    _m, _s = float((teeth.double() * _d).sum()), float(_d.sum())
    for _pv in (0.2, 0.451, 0.7):
        _pt = torch.tensor(_pv, dtype=torch.float64, requires_grad=True)
        _model = distrs.Binomial(total_count=TOTAL_COUNT, probs=_pt).log_prob(teeth.double()).exp()
        discrete_kl_divergence(_d, _model).backward()
        check_close(_pt.grad, -_m / _pv + (TOTAL_COUNT * _s - _m) / (1 - _pv), f"dKL/dp at p = {_pv}",
                    atol=1e-6, rtol=1e-6)
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 10. Task: fit the binomial with KL (1 point)
#
# Reuse your optimiser with the KL divergence as the loss. Because the optimiser calls `func(true_data, model_pmf)`, the loss is $\mathrm{KL}(p_{\mathrm{data}} \,\|\, q_p)$: the data distribution comes first.
#
# * **In:** `discrete_kl_divergence`, a start value for $p$, `true_data`.
# * **Out:** `p_kl` (the fitted parameter, a 0-dim tensor, as returned by the optimiser) and `kl_history`.
# * **Why:** to compare with the $W_1$ fit below. Start from `torch.tensor(0.2)`; the default learning rate and 1000 epochs are enough.

# %% nbgrader={"grade": false, "grade_id": "kl_fit__solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
p_kl, kl_history = optimize_binomial_distribution(discrete_kl_divergence, torch.tensor(0.2), true_data)
### END SOLUTION
print(f"p fitted with KL: {p_kl.item():.4f}")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "kl_fit__tests", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
def __test_cell__():
    check_scalar_tensor(p_kl, "p_kl")
    check_true(len(kl_history["dist"]) > 0, "kl_history", "expected a non-empty history")
    # KL(data || Binomial(10, p)) is smallest where the model's mean 10 p equals the data's mean number of teeth.
    _mean_teeth = float((teeth * true_data).sum())
    check_close(p_kl, _mean_teeth / TOTAL_COUNT, "p fitted with KL, against (mean number of teeth) / 10",
                atol=0.01, rtol=0,
                hint="minimise discrete_kl_divergence with the optimiser from torch.tensor(0.2) with the default "
                     "learning rate and 1000 epochs, so that the fit converges")
    print("Visible checks passed.")

    ### BEGIN HIDDEN TESTS
    # Minimiser of KL(data || Binomial(10, p)) = maximum-likelihood p = sum_k k * data_k / 10 = 4.51 / 10.
    _mle = float((np.arange(TOTAL_COUNT + 1) * true_data.double().numpy()).sum() / TOTAL_COUNT)
    check_close(p_kl, _mle, "p fitted with KL(data || model)", atol=3e-3, rtol=0,
                hint="minimise discrete_kl_divergence(true_data, model) long enough to converge")
    # The fit reuses the optimiser with the KL as its loss: its history is a descent of KL(data || Binomial(10, p)).
    # (Loose: this checks where the history comes from; float32 KLs that clamp tiny q_k, as torch's Categorical
    # does at 1.2e-7, differ by about 0.01 at p = 0.8.)
    from scipy.stats import binom as _binom

    _data = true_data.double().numpy()
    check_true(all(len(kl_history.get(_k, [])) > 1 for _k in ("epoch", "dist", "p")), "kl_history",
               "expected the history dict of optimize_binomial_distribution (more than one epoch)",
               hint="p_kl, kl_history = optimize_binomial_distribution(discrete_kl_divergence, ...)")
    for _i in (0, len(kl_history["p"]) - 1):
        _model = _binom.pmf(np.arange(TOTAL_COUNT + 1), TOTAL_COUNT, kl_history["p"][_i])
        check_close(kl_history["dist"][_i], float(np.sum(_data * (np.log(_data) - np.log(_model)))),
                    f"kl_history['dist'][{_i}] against KL(data || Binomial(10, kl_history['p'][{_i}]))",
                    atol=0.05, rtol=0, hint="pass discrete_kl_divergence as the loss; data first, model second")
    check_true(kl_history["dist"][-1] < kl_history["dist"][0], "kl_history['dist']", "the KL did not go down")
    print("Hidden tests passed.")
    ### END HIDDEN TESTS


try:
    __test_cell__()
finally:
    del __test_cell__


# %% [markdown]
# ## 11. Comparing the two fits
#
# We take the best $W_1$ fit found by the runs in section 8 (the lowest final loss) and put it next to the KL fit. The right panel draws both losses as functions of $p$. They are measured in different units, $W_1$ in teeth and KL in nats, so each has its own y-axis, coloured like its curve. Compare the shapes of the curves and where their minima lie, not their heights: a KL of 2 nats and a $W_1$ of 2 teeth have nothing in common.

# %%
best_start = min(landing_histories, key=lambda s: landing_histories[s]["dist"][-1])
p_w1 = torch.tensor(landing_points[best_start])
with torch.no_grad():
    w1_pmf = distrs.Binomial(total_count=TOTAL_COUNT, probs=p_w1).log_prob(teeth).exp()
    kl_pmf = distrs.Binomial(total_count=TOTAL_COUNT, probs=p_kl).log_prob(teeth).exp()
    print(f"W1 fit: p = {p_w1.item():.4f}   W1 = {compute_wasserstein_distance(true_data, w1_pmf).item():.4f}   "
          f"KL = {discrete_kl_divergence(true_data, w1_pmf).item():.4f}")
    print(f"KL fit: p = {p_kl.item():.4f}   W1 = {compute_wasserstein_distance(true_data, kl_pmf).item():.4f}   "
          f"KL = {discrete_kl_divergence(true_data, kl_pmf).item():.4f}")

kl_profile = []
with torch.no_grad():
    for p in torch.tensor(profile_ps):
        model_pmf = distrs.Binomial(total_count=TOTAL_COUNT, probs=p).log_prob(teeth).exp()
        kl_profile.append(discrete_kl_divergence(true_data, model_pmf).item())

fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
bar_compare(teeth, {"data": true_data, f"$W_1$ fit, p = {p_w1.item():.3f}": w1_pmf,
                    f"KL fit, p = {p_kl.item():.3f}": kl_pmf},
            ax=axes[0], xlabel="number of teeth $k$", ylabel="probability", title="Best binomial under each loss")
# W1 is measured in teeth and KL in nats: each gets its own y-axis, coloured like its curve.
ax_w1, ax_kl = axes[1], axes[1].twinx()
ax_w1.plot(profile_ps, profile_ws, color="C0", label="$W_1$(data, model), left axis")
ax_kl.plot(profile_ps, kl_profile, color="C1", label="KL(data || model), right axis")
ax_w1.axvline(p_w1.item(), color="C0", linestyle=":", label=f"$W_1$ fit, p = {p_w1.item():.3f}")
ax_kl.axvline(p_kl.item(), color="C1", linestyle=":", label=f"KL fit, p = {p_kl.item():.3f}")
ax_w1.set_ylim(0, 6)
ax_kl.set_ylim(0, 12)
ax_w1.set_xlabel("binomial parameter $p$")
ax_w1.set_ylabel("$W_1$(data, model) in teeth", color="C0")
ax_kl.set_ylabel("KL(data || model) in nats", color="C1")
ax_w1.tick_params(axis="y", colors="C0")
ax_kl.tick_params(axis="y", colors="C1")
ax_kl.grid(False)   # the grid lines belong to the left axis
ax_w1.set_title("Both losses as functions of $p$ (two y-axes, two units)")
handles_w1, labels_w1 = ax_w1.get_legend_handles_labels()
handles_kl, labels_kl = ax_kl.get_legend_handles_labels()
ax_w1.legend(handles_w1 + handles_kl, labels_w1 + labels_kl, loc="upper center")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Why the two optima differ
#
# **KL.** Expanding the logarithm,
#
# $$
# \mathrm{KL}(p_{\mathrm{data}} \,\|\, q_p) = \underbrace{\sum_k p_{\mathrm{data}}(k) \log p_{\mathrm{data}}(k)}_{\text{does not depend on } p} \; - \; \sum_k p_{\mathrm{data}}(k) \log q_p(k) .
# $$
#
# The second term is the cross-entropy, the average negative log-likelihood of the data under the model. Minimising $\mathrm{KL}(\text{data}\|\text{model})$ is therefore the same as **maximum likelihood**. For the binomial, $\log q_p(k) = \text{const} + k \log p + (10-k)\log(1-p)$; setting the derivative to zero gives $p = \frac{1}{10}\sum_k k\, p_{\mathrm{data}}(k) = 0.451$, exactly the moment-matching estimate from section 2. As a function of $p$ this loss is convex (a sum of $-\log p$ and $-\log(1-p)$ terms with non-negative weights), so gradient descent finds it from any start.
#
# **$W_1$.** $W_1$ measures how far mass must move *horizontally*, via the CDFs. It is piecewise smooth, with a kink wherever the model CDF crosses the data CDF at some tooth count, and for this data the profile has several local minima. Its global optimum, $p \approx 0.348$, is not the mean-matching value. The reason is the shape of the data: the data is **bimodal** (peaks at 1 and 9 teeth), whereas every binomial is **unimodal** and concentrated. No binomial can be close to both peaks, so each loss chooses its own compromise. KL must give every observed tooth count reasonable probability and averages the two peaks (mean 4.51). $W_1$ weighs the cost of moving mass: it places the single bump where the total transport is cheapest. Here that is closer to the larger low-teeth peak, while the high-teeth worms are simply moved a long way.
#
# ### What to remember
#
# * $W_1$ is the cost of the cheapest transport plan; in one dimension it equals $\sum_k |F_P(k) - F_Q(k)|\,\Delta$, and the positions (here the spacing $\Delta = 1$ tooth) are part of the definition.
# * `scipy.stats.wasserstein_distance` wants **values and weights**; probabilities are weights, not values.
# * Anything computed outside PyTorch (SciPy, NumPy, `.item()`) has no gradient. Write the loss with torch operations to optimise it.
# * Gradient descent on a non-convex loss finds *a* local minimum, depending on the initialisation and the learning rate. A zero gradient can also mean a maximum ($p = 0.5$ here).
# * $\mathrm{KL}(\text{data}\|\text{model})$ is maximum likelihood in disguise; it is asymmetric, so the argument order matters, and $0 \log 0$ needs care (`torch.xlogy`).
# * With a misspecified model (unimodal model, bimodal data) the choice of distance decides which compromise you get. In the rest of the course we meet generative models trained with each of these choices.
