"""Probe inputs for naming mistakes in assignment 02 (never in the student version: see misconceptions.py).

Each ``probe_<task>(ns)`` calls the task's function from the notebook's namespace ``ns`` on
inputs made here, and returns what came out; the grader compares the student's outcomes with
the reference's and with each catalogued mistake's (``probe_outputs.py``).

Where a function draws random numbers (the samples of Q, the epsilons of the penalty, the data
batches), the probes are built so that what they return does not depend on *how* the numbers
are drawn: linear critics (whose updates do not depend on the samples), a Q with a tiny scale,
and critics that record their inputs, so that the probe reports facts (are the interpolates on
the segments? is the batch new?) rather than values of one random stream.
"""
import torch
import torch.nn as nn

from dgmcourse.instructor.probe_outputs import Raised, calls

TASK_FUNCTIONS = {"exact_w1": "exact_w1", "clamp": "clamp_weights", "critic": "create_critic",
                  "generator": "generator_step", "train": "train_wgan", "penalty": "compute_gradient_penalty",
                  "critic_gp": "create_critic_with_penalty"}
NOT_PROBED = {}

TOLERANCE = 1e-4


def _points(seed, n, d=2, scale=1.0, shift=0.0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=generator) * scale + shift


# --- exact_w1 ------------------------------------------------------------------------------------
def probe_exact_w1(ns):
    f = ns["exact_w1"]
    # Three x share the same nearest y: the nearest-neighbour "matching" is no plan here.
    x = torch.tensor([[0.0, 0.0], [0.5, 0.2], [1.0, -0.3], [4.0, 4.0]])
    y = torch.tensor([[0.2, 0.1], [3.0, 1.0], [-2.0, 0.5], [5.0, 3.0]])
    a, b = _points(11, 7, scale=2.0), _points(12, 7, scale=1.5, shift=0.7)
    c = _points(13, 5, d=3).double().numpy()
    return calls(f, [(x, y), (y, x), (a.requires_grad_(True), b), (a.detach().numpy(), b.numpy()),
                     (c, c[::-1] * 2.0 + 1.0)])


# --- clamp ---------------------------------------------------------------------------------------
def probe_clamp(ns):
    clamp_weights = ns["clamp_weights"]
    torch.manual_seed(5)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Sequential(nn.Linear(4, 2)))
    for weights in net.parameters():
        nn.init.normal_(weights, 0.0, 0.5)  # (an init function runs without recording gradients)
    for parameter in net.parameters():  # gradients left from a backward pass: clipping must not touch them
        parameter.grad = torch.linspace(-1.0, 1.0, parameter.numel()).reshape(parameter.shape)
    try:
        returned = clamp_weights(net, 0.3)
    except Exception as error:
        return [Raised(error)]
    leaves = all(p.is_leaf and p.requires_grad for p in net.parameters())
    return [returned, net, [p.grad for p in net.parameters()], leaves]


# --- critic (weight clipping) --------------------------------------------------------------------
def _small_mlp(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 4), nn.LeakyReLU(0.2), nn.Linear(4, 1))


def probe_critic(ns):
    create_critic = ns["create_critic"]
    x_p = torch.tensor([[1.0, 2.0], [3.0, 0.5], [2.0, -1.0], [0.5, 1.5]])
    x_q = torch.tensor([[0.0, 0.0], [-1.0, 1.0], [0.5, -2.0], [-0.5, -0.5]])
    outcomes = []
    for seed, steps, clamp, lr in ((1, 3, 0.3, 0.1), (2, 1, 0.2, 0.05), (3, 4, 0.25, 0.2)):
        critic = _small_mlp(seed)
        try:
            out = create_critic(x_p, x_q, critic, torch.optim.SGD(critic.parameters(), lr=lr), steps=steps, clamp=clamp)
            outcomes.append([out is critic, critic])
        except Exception as error:
            outcomes.append(Raised(error))
    return outcomes


# --- generator -----------------------------------------------------------------------------------
def _generator_case(step, stale):
    """A linear critic and a Q of scale ~2e-9 (its samples are mu): the loss, mu and the diagonal of raw_scale
    after the step do not depend on the noise (the entry below the diagonal does, so it is left out)."""
    critic = nn.Linear(2, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[-2.0, 0.75]]))
        critic.bias.fill_(0.5)
    mu = torch.tensor([0.5, -0.25], requires_grad=True)
    raw_scale = torch.tensor([[-20.0, 0.0], [0.0, -20.0]], requires_grad=True)
    if stale:
        mu.grad = torch.tensor([3.0, -1.0])
        raw_scale.grad = torch.full((2, 2), 2.0)
    optimizer = torch.optim.SGD([mu, raw_scale], lr=0.1)
    torch.manual_seed(21)
    try:
        loss = step(critic, mu, raw_scale, optimizer, n_samples=16)
    except Exception as error:
        return Raised(error)
    raw_scale = raw_scale.detach()
    return [loss, mu.detach().clone(), torch.diagonal(raw_scale).clone(), raw_scale[0, 1].clone()]


def probe_generator(ns):
    step = ns["generator_step"]
    return [_generator_case(step, stale=False), _generator_case(step, stale=True)]


# --- train ---------------------------------------------------------------------------------------
def _scale_tril(raw_scale):
    raw_scale = raw_scale.detach()
    return torch.tril(raw_scale, -1) + torch.diag(torch.exp(torch.diagonal(raw_scale)))


def _close(a, b):
    return bool(torch.allclose(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64),
                               atol=TOLERANCE, rtol=TOLERANCE))


class _CountingLinear(nn.Linear):
    """A linear critic that notes how many rows it saw with gradients (the generator step's samples)."""

    def forward(self, x):
        if x.requires_grad:
            self.rows_with_gradient.append(int(x.shape[0]))
        return super().forward(x)


def probe_train(ns):
    """A stand-in critic trainer records every call and sets the linear critic's weights to a_t in call t;
    reported are facts about the calls and the history, not values of the random draws."""
    train_wgan = ns["train_wgan"]
    targets = [torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0]), torch.tensor([-1.5, 0.5])]
    data = _points(99, 40, scale=3.0)
    data_rows = {tuple(row) for row in data.numpy().round(5).tolist()}
    critic = _CountingLinear(2, 1)
    critic.rows_with_gradient = []
    with torch.no_grad():
        critic.weight.zero_()
        critic.bias.zero_()
    critic_optimizer = torch.optim.SGD(critic.parameters(), lr=0.0)
    mu = torch.zeros(2, requires_grad=True)
    raw_scale = torch.zeros(2, 2, requires_grad=True)
    q_lr = 0.5
    q_optimizer = torch.optim.SGD([mu, raw_scale], lr=q_lr)
    records = []

    def trainer(x_p, x_q, critic_, optimizer, steps=5):
        t = len(records)
        records.append(dict(x_p=x_p.detach().clone(), x_q=x_q.detach().clone(), x_q_grad=bool(x_q.requires_grad),
                            same=(critic_ is critic, optimizer is critic_optimizer), steps=steps,
                            mu=mu.detach().clone(), scale_tril=_scale_tril(raw_scale)))
        if critic_ is critic:
            with torch.no_grad():
                critic.weight.copy_(targets[min(t, len(targets) - 1)][None, :])
        return critic_

    torch.manual_seed(8)
    try:
        history = train_wgan(trainer, critic, critic_optimizer, mu, raw_scale, q_optimizer, data,
                             n_iterations=3, n_critic=4, batch_size=32)
    except Exception as error:
        return [Raised(error), len(records)]
    states = [(r["mu"], r["scale_tril"]) for r in records] + [(mu.detach().clone(), _scale_tril(raw_scale))]

    def in_data(x):
        return all(tuple(row) in data_rows for row in x.numpy().round(5).tolist())

    try:
        lengths = [len(history[key]) for key in ("estimate", "mu", "scale_tril")]
        calls_ = []
        for t, r in enumerate(records):
            previous = records[t - 1] if t else None
            calls_.append([r["same"], r["steps"], list(r["x_p"].shape), list(r["x_q"].shape), in_data(r["x_p"]),
                           in_data(r["x_q"]), r["x_q_grad"],
                           None if previous is None else _close(r["x_p"], previous["x_p"]),
                           None if previous is None else _close(r["x_q"], previous["x_q"])])
        estimates = []
        for t, r in enumerate(records[:len(history["estimate"])]):
            gap = r["x_p"].double().mean(0) - r["x_q"].double().mean(0)
            estimate = history["estimate"][t]
            estimates.append([isinstance(estimate, float),
                              _close(float(estimate), float(targets[min(t, 2)].double() @ gap))])
        states_ok = [[_close(history["mu"][t], state[0]), _close(history["scale_tril"][t], state[1])]
                     for t, state in enumerate(states[:len(history["mu"])])]
        steps_ok = [_close(history["mu"][t + 1] - history["mu"][t], q_lr * targets[t])
                    for t in range(min(3, len(history["mu"]) - 1))]
    except Exception as error:
        return [Raised(error), len(records)]
    return [lengths, calls_, estimates, states_ok, steps_ok, list(critic.rows_with_gradient)]


# --- penalty -------------------------------------------------------------------------------------
class _RecordingLinear(nn.Linear):
    """A linear critic that keeps every input that requires gradients (the interpolates)."""

    def forward(self, x):
        if x.requires_grad:
            self.seen.append(x.detach().clone())
        return super().forward(x)


def _recording_linear(weight, bias=0.0):
    critic = _RecordingLinear(2, 1)
    critic.seen = []
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([weight]))
        critic.bias.fill_(bias)
    return critic


def _positions(seen, x_r, x_q):
    """For the recorded interpolates: [all on the segments x_q -> x_r, all at x_q, all at x_r,
    all strictly inside, all rows at one relative position]; None if nothing was recorded."""
    if not seen:
        return None
    x_r, x_q = x_r.double(), x_q.double()
    direction = x_r - x_q
    facts = []
    for x_hat in seen:
        if x_hat.shape != x_r.shape:
            facts.append(["shape", list(x_hat.shape)])
            continue
        x_hat = x_hat.double()
        t = ((x_hat - x_q) * direction).sum(1) / (direction ** 2).sum(1)
        on_line = bool(torch.allclose(x_q + t[:, None] * direction, x_hat, atol=1e-4, rtol=0))
        on_segment = on_line and bool(((t > -1e-4) & (t < 1 + 1e-4)).all())
        facts.append([on_segment, bool((t.abs() < 1e-4).all()), bool(((t - 1).abs() < 1e-4).all()),
                      on_segment and bool(((t > 1e-4) & (t < 1 - 1e-4)).all()),
                      bool((t - t[0]).abs().max() < 1e-5)])
    return facts


def probe_penalty(ns):
    penalty = ns["compute_gradient_penalty"]
    outcomes = []
    # linear critics: the value (||a|| - 1)^2 and its gradient with respect to a do not depend on the epsilons
    for seed, weight in ((1, [3.0, 4.0]), (2, [0.3, -0.4]), (3, [-1.0, 2.0])):
        critic = _recording_linear(weight, 0.25)
        x_r, x_q = _points(seed, 6, scale=3.0, shift=1.0), _points(seed + 10, 6)
        torch.manual_seed(seed)
        try:
            value = penalty(critic, x_r, x_q)
        except Exception as error:
            outcomes.append(Raised(error))
            continue
        try:
            gradient = torch.autograd.grad(value, critic.weight)[0]
        except Exception as error:
            gradient = Raised(error)
        outcomes.append([value, gradient, _positions(critic.seen, x_r, x_q)])
    return outcomes


# --- critic_gp -----------------------------------------------------------------------------------
def probe_critic_gp(ns):
    create = ns["create_critic_with_penalty"]
    outcomes = []
    for seed, steps, weight, lr in ((4, 3, None, 0.01), (5, 2, 2.5, 0.02), (6, 1, None, 0.01)):
        x_p, x_q = _points(seed, 8, shift=torch.tensor([3.0, 1.0])), _points(seed + 10, 8)
        critic = _recording_linear([1.5, -0.8], 0.7)
        optimizer = torch.optim.SGD(critic.parameters(), lr=lr)
        torch.manual_seed(seed)
        try:
            if weight is None:
                out = create(x_p, x_q, critic, optimizer, steps=steps)
            else:
                out = create(x_p, x_q, critic, optimizer, steps=steps, penalty_weight=weight)
        except Exception as error:
            outcomes.append(Raised(error))
            continue
        outcomes.append([out is critic, critic, _positions(critic.seen, x_p, x_q)])
    return outcomes
