"""Probe inputs for naming mistakes in assignment 05 (never in the student version: see misconceptions.py).

Each ``probe_<task>(ns)`` calls the task's function from the notebook's namespace ``ns`` on
inputs made here, and returns what came out; the grader compares the student's outcomes with
the reference's and with each catalogued mistake's (``probe_outputs.py``). Random draws are
seeded right before each call; the training steps run on tiny networks made here, with SGD.
"""
import copy

import torch
import torch.nn as nn

from dgmcourse.instructor.probe_outputs import Raised, calls

TASK_FUNCTIONS = {"reparameterize": "reparameterize", "kl": "kl_to_standard_normal", "neg_elbo": "negative_elbo",
                  "vae_step": "vae_train_step", "d_loss": "discriminator_loss", "g_loss": "generator_loss",
                  "gan_step": "gan_train_step", "mmd": "mmd2"}
NOT_PROBED = {}


def _grads(value, inputs):
    """Gradients of value.sum() with respect to inputs; an error (no graph) is kept as an outcome."""
    try:
        return list(torch.autograd.grad(value.sum(), inputs, allow_unused=True))
    except Exception as error:
        return Raised(error)


def _fixed(rows, cols, scale, offset, dtype=torch.float64):
    """A deterministic, asymmetric tensor (no random numbers involved)."""
    index = torch.arange(rows * cols, dtype=dtype).reshape(rows, cols)
    return scale * torch.sin(1.7 * index + offset)


# --- the VAE ---------------------------------------------------------------------------------
def probe_reparameterize(ns):
    f = ns["reparameterize"]
    outcomes = []
    for seed, dtype in ((3, torch.float64), (4, torch.float32)):
        mu = _fixed(5, 3, 1.5, 0.3, dtype).requires_grad_(True)
        log_var = _fixed(5, 3, 0.8, 1.1, dtype).requires_grad_(True)
        torch.manual_seed(seed)
        try:
            z = f(mu, log_var)
        except Exception as error:
            outcomes.append(Raised(error))
            continue
        try:
            sigma = torch.exp(0.5 * log_var.detach())
            eps = (z.detach() - mu.detach()) / sigma          # the standard normal noise that was used
        except Exception as error:
            eps = Raised(error)
        outcomes.append([eps, bool(getattr(z, "requires_grad", False)), _grads(z, [mu, log_var])])
    return outcomes


def probe_kl(ns):
    f = ns["kl_to_standard_normal"]
    mu = _fixed(4, 3, 1.2, 0.2)
    log_var = _fixed(4, 3, 1.0, 0.9)
    log_var[3] = log_var[3].abs() + 0.4                       # a row whose posterior is wider than the prior
    outcomes = []
    for m, v in ((mu, log_var), (mu[:, :1], log_var[:, :1]), (torch.zeros(2, 3), torch.zeros(2, 3))):
        m, v = m.clone().requires_grad_(True), v.clone().requires_grad_(True)
        torch.manual_seed(7)
        try:
            value = f(m, v)
        except Exception as error:
            outcomes.append(Raised(error))
            continue
        outcomes.append([value, _grads(value, [m, v])])
    return outcomes


def probe_neg_elbo(ns):
    f = ns["negative_elbo"]
    x = (_fixed(3, 8, 0.5, 0.4) + 0.5).reshape(3, 1, 2, 4)
    x[0] = (x[0] > 0.5).double()
    logits = _fixed(3, 8, 3.0, 1.3).reshape(3, 1, 2, 4)
    mu = _fixed(3, 2, 0.9, 0.5)
    log_var = _fixed(3, 2, 0.7, 2.0)
    extreme_x = torch.tensor([[1.0, 0.0, 1.0, 0.0, 0.5], [1.0, 0.0, 0.0, 1.0, 0.5]])
    extreme_logits = torch.tensor([[100.0, -100.0, -100.0, 100.0, 0.0], [30.0, -30.0, 2.0, -2.0, 100.0]])
    outcomes = []
    for args in ((x, logits, mu, log_var), (x.reshape(3, 8), logits.reshape(3, 8), mu, log_var),
                 (extreme_x, extreme_logits, torch.ones(2, 2), torch.zeros(2, 2))):
        lg = args[1].clone().requires_grad_(True)
        m = args[2].clone().requires_grad_(True)
        try:
            value = f(args[0], lg, m, args[3])
        except Exception as error:
            outcomes.append(Raised(error))
            continue
        outcomes.append([value, _grads(value, [lg, m])])
    return outcomes


class _TinyVAE(nn.Module):
    """Deterministic stand-in for the VAE: one linear layer gives the logits, mu and log_var of 2 x 2 images."""

    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 8)
        with torch.no_grad():
            self.layer.weight.copy_(_fixed(8, 4, 0.6, 0.7, torch.float32))
            self.layer.bias.copy_(_fixed(1, 8, 0.3, 2.1, torch.float32)[0])

    def forward(self, x):
        out = self.layer(x.reshape(x.shape[0], -1))
        return out[:, :4].reshape(x.shape), out[:, 4:6], torch.tanh(out[:, 6:8])


def probe_vae_step(ns):
    step = ns["vae_train_step"]
    x = (_fixed(5, 4, 0.45, 0.1, torch.float32) + 0.5).reshape(5, 1, 2, 2)
    model = _TinyVAE()
    for p in model.parameters():                              # stale gradients of an earlier step
        p.grad = torch.full_like(p, 2.0)
    outcomes = []
    for _ in range(2):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        try:
            outcomes.append(step(model, optimizer, x))
        except Exception as error:
            outcomes.append(Raised(error))
        outcomes.append(copy.deepcopy(model))
    return outcomes


# --- the GAN ---------------------------------------------------------------------------------
LOGITS = [
    (torch.tensor([[2.0], [-0.5], [1.0]], dtype=torch.float64), torch.tensor([[-1.5], [0.3]], dtype=torch.float64)),
    (torch.tensor([0.7, -2.0], dtype=torch.float64), torch.tensor([1.2, -0.4, 3.0, 0.1], dtype=torch.float64)),
    (torch.tensor([[100.0], [40.0]]), torch.tensor([[-100.0], [-40.0], [5.0]])),
    (torch.tensor([[-100.0], [-1000.0]]), torch.tensor([[100.0], [1000.0]])),
]


def _loss_and_grads(f, tensors):
    tensors = [t.clone().requires_grad_(True) for t in tensors]
    try:
        value = f(*tensors)
    except Exception as error:
        return Raised(error)
    return [value, _grads(value, tensors)]


def probe_d_loss(ns):
    f = ns["discriminator_loss"]
    return [_loss_and_grads(f, pair) for pair in LOGITS]


def probe_g_loss(ns):
    f = ns["generator_loss"]
    cases = [pair[1] for pair in LOGITS] + [torch.full((3, 1), -10.0, dtype=torch.float64)]
    return [_loss_and_grads(f, [t]) for t in cases]


class _Spy(nn.Module):
    """Wraps the discriminator and notes whether it was ever fed an input carrying a graph while it still
    had its starting parameters (that is, in the discriminator step)."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.start = [p.detach().clone() for p in net.parameters()]
        self.graph_before_update = False

    def forward(self, x):
        unchanged = all(torch.equal(p.detach(), q) for p, q in zip(self.net.parameters(), self.start))
        if unchanged and x.requires_grad:
            self.graph_before_update = True
        return self.net(x)


def probe_gan_step(ns):
    step = ns["gan_train_step"]
    torch.manual_seed(11)
    gen = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
    disc = nn.Sequential(nn.Linear(4, 3), nn.LeakyReLU(0.2), nn.Linear(3, 1))
    with torch.no_grad():
        for p in list(gen.parameters()) + list(disc.parameters()):
            p.mul_(2.0)
    real = _fixed(5, 4, 0.9, 0.6, torch.float32)
    for p in list(gen.parameters()) + list(disc.parameters()):   # stale gradients of an earlier step
        p.grad = torch.full_like(p, 3.0)
    spy = _Spy(disc)
    torch.manual_seed(12)
    try:
        returned = step(gen, spy, torch.optim.SGD(gen.parameters(), lr=0.1),
                        torch.optim.SGD(disc.parameters(), lr=0.3), real, 2)
    except Exception as error:
        returned = Raised(error)
    return [returned, spy.graph_before_update, copy.deepcopy(gen), copy.deepcopy(disc)]


# --- the MMD ---------------------------------------------------------------------------------
def probe_mmd(ns):
    f = ns["mmd2"]
    x1, y1 = torch.tensor([[0.0], [1.0], [0.5]], dtype=torch.float64), torch.tensor([[3.0], [4.0]], dtype=torch.float64)
    x2, y2 = _fixed(5, 3, 1.0, 0.2), _fixed(4, 3, 1.3, 1.0) + 0.4
    images_x = (_fixed(4, 6, 0.5, 0.3) + 0.5).reshape(4, 1, 2, 3)
    images_y = (_fixed(3, 6, 0.5, 1.7) + 0.5).reshape(3, 1, 2, 3)
    same = torch.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], dtype=torch.float64)
    return calls(f, [(x1, y1, 1.0), (y1, x1, 1.0), (x2, y2, 0.8), (x2, y2, 2.5), (images_x, images_y, 1.5),
                     (same, same.clone(), 1.0)])
