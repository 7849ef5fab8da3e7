"""Probe inputs for naming mistakes in assignment 06 (never in the student version: see misconceptions.py).

Each ``probe_<task>(ns)`` calls the task's function from the notebook's namespace ``ns`` on
inputs made here, and returns what came out; the grader compares the student's outcomes with
the reference's and with each catalogued mistake's (``probe_outputs.py``).

The schedule, ``q_sample``, the reverse step and DDIM are deterministic given their inputs, so
their probes return values. The loss and the DDPM sampler draw random numbers; their probes
return facts that do not depend on *how* the numbers were drawn: which steps the model saw,
whether its target was the noise, whether the samples of an exactly known model have the right
spread.
"""
import math

import torch

from dgmcourse.instructor.probe_outputs import Raised, calls

TASK_FUNCTIONS = {"schedule": "compute_alpha_bars", "q_sample": "q_sample", "loss": "diffusion_loss",
                  "p_step": "p_sample_step", "ddpm": "ddpm_sample", "ddim": "ddim_sample"}
NOT_PROBED = {}


def _schedule(ns, T=12, top=0.3):
    """A float64 schedule made here (running products computed here, not with the student's function)."""
    betas = torch.linspace(0.02, top, T + 1, dtype=torch.float64)
    betas[0] = 0.0
    return ns["Schedule"](betas, alpha_bars=torch.cumprod(1 - betas, 0))


def _fixed(*shape, offset=0.0):
    """A deterministic, asymmetric tensor (no random numbers involved)."""
    n = math.prod(shape)
    return torch.sin(1.3 * torch.arange(n, dtype=torch.float64) + offset).reshape(shape)


def _model(x_t, t):
    """A noise guess that depends on x_t and on t."""
    return torch.tanh(x_t) * (0.4 + 0.05 * t.to(x_t.dtype).reshape(-1, *([1] * (x_t.dim() - 1))))


# --- the schedule ----------------------------------------------------------------------------------
def probe_schedule(ns):
    betas = torch.tensor([0.0, 0.1, 0.25, 0.05, 0.6], dtype=torch.float64)
    given = betas.clone()
    outcomes = calls(ns["compute_alpha_bars"], [(given,), (betas.float(),)])
    return outcomes + [torch.equal(given, betas)] + calls(ns["cosine_betas"], [(10,), (20, 0.008, 0.2), (6, 0.1)])


# --- q_sample --------------------------------------------------------------------------------------
def probe_q_sample(ns):
    schedule = _schedule(ns)
    t = torch.tensor([1, 2, 6, 12])
    return calls(ns["q_sample"], [(_fixed(4, 3), t, _fixed(4, 3, offset=2.0), schedule),
                                  (_fixed(4, 1, 2, 2), t.flip(0), _fixed(4, 1, 2, 2, offset=1.0), schedule),
                                  (_fixed(4, 2, 3), t, _fixed(4, 2, 3, offset=0.5), schedule)])


# --- the loss --------------------------------------------------------------------------------------
def probe_loss(ns):
    schedule = _schedule(ns)
    seen = []

    def spy(x_t, t):
        seen.append((x_t.detach().clone(), t.detach().clone()))
        return _model(x_t, t)

    x0 = 1.0 + _fixed(3000, 2)
    torch.manual_seed(5)
    try:
        loss = ns["diffusion_loss"](spy, x0, schedule)
        loss = float(loss)
    except Exception as error:
        return [Raised(error)]
    if len(seen) != 1:
        return ["model called", len(seen), "times"]
    x_t, t = seen[0]
    if t.shape != (3000,):
        return ["t of shape", tuple(t.shape)]
    tt = t.clamp(0, schedule.T)
    ab = schedule.alpha_bars[tt].reshape(-1, 1)
    with torch.no_grad():
        guess = _model(x_t, t)
        eps = (x_t - ab.sqrt() * x0) / (1 - ab).sqrt().clamp(min=1e-12)
        target_noise = abs(loss - float(((guess - eps) ** 2).mean())) < 1e-6
        target_x0 = abs(loss - float(((guess - x0) ** 2).mean())) < 1e-6
        flat = eps.reshape(len(eps), -1)
        shared = float(torch.corrcoef(torch.stack([flat[:, 0], flat[:, 1]]))[0, 1]) > 0.5
    try:
        torch.manual_seed(6)
        ns["diffusion_loss"](spy, torch.zeros(64, 2, dtype=torch.float64), schedule)
        ns["diffusion_loss"](spy, torch.zeros(64, 2, dtype=torch.float64), schedule)
        (x_a, t_a), (x_b, t_b) = seen[-2:]
        same_noise = torch.allclose(x_a / (1 - schedule.alpha_bars[t_a.clamp(1, schedule.T)]).sqrt().reshape(-1, 1),
                                    x_b / (1 - schedule.alpha_bars[t_b.clamp(1, schedule.T)]).sqrt().reshape(-1, 1))
    except Exception as error:
        same_noise = Raised(error)
    return [int(t.min()), int(t.max()), len(set(t.tolist())) > 1, target_noise, target_x0, shared, same_noise]


# --- the reverse step ------------------------------------------------------------------------------
def probe_p_step(ns):
    schedule = _schedule(ns)
    x, z = _fixed(3, 2), _fixed(3, 2, offset=0.7)
    images, image_noise = _fixed(2, 1, 2, 2, offset=0.3), _fixed(2, 1, 2, 2, offset=1.9)
    dtypes = []

    def spy(x_t, t):
        dtypes.append(str(t.dtype))
        return _model(x_t, t.long())

    outcomes = calls(ns["p_sample_step"], [(spy, x, 1, schedule, z), (spy, x, 2, schedule, z),
                                           (spy, x, 7, schedule, z), (spy, images, 12, schedule, image_noise)])
    return outcomes + [sorted(set(dtypes))]


# --- the DDPM sampler ------------------------------------------------------------------------------
def probe_ddpm(ns):
    steps = []

    def zero(x_t, t):
        steps.append(int(t[0]))
        return torch.zeros_like(x_t)

    T = 40
    betas = torch.cat([torch.zeros(1, dtype=torch.float64), torch.linspace(2e-3, 0.3, T, dtype=torch.float64)])
    ab = torch.cumprod(1 - betas, 0)
    schedule = ns["Schedule"](betas, alpha_bars=ab)
    torch.manual_seed(3)
    try:
        ns["ddpm_sample"](zero, (4, 1), ns["Schedule"](betas.clone(), alpha_bars=ab.clone()))
    except Exception as error:
        return [Raised(error)]
    walked = list(steps)

    def exact(x_t, t):   # the exact noise guess for data N(1, 0.3^2)
        b = ab[t].reshape(-1, 1)
        return (1 - b).sqrt() * (x_t - b.sqrt()) / (b * 0.09 + 1 - b)

    torch.manual_seed(4)
    try:
        samples = ns["ddpm_sample"](exact, (20000, 1), schedule)
    except Exception as error:
        return [walked, Raised(error)]
    std = float(samples.std())
    facts = [walked, abs(float(samples.mean()) - 1.0) < 0.05, std < 0.05, 0.05 <= std < 0.25, 0.25 <= std < 0.35,
             std >= 0.35]
    # The procedure with a model that guesses 0: the noise each step added, in units of sigma_t (about 1 at every
    # step t > 1, 0 at t = 1), whether it is shared across coordinates, and whether two calls start alike.
    inputs = []

    def record(x_t, t):
        inputs.append(x_t.clone())
        return torch.zeros_like(x_t)

    torch.manual_seed(5)
    try:
        out = ns["ddpm_sample"](record, (3000, 2), schedule)
        chain = inputs + [out]
        added, shared = [], False
        for k, t in enumerate(range(T, T - len(chain) + 1, -1)):
            r = chain[k + 1] - chain[k] / (1 - betas[t]).sqrt()
            sigma = float(((1 - ab[t - 1]) / (1 - ab[t]) * betas[t]).sqrt())
            added.append(round(float(r.std()) / sigma, 1) if sigma > 0 else float(r.abs().max()) < 1e-9)
            shared = shared or (sigma > 0 and float(torch.corrcoef(torch.stack([r[:, 0], r[:, 1]]))[0, 1]) > 0.5)
        first = inputs[0]
        inputs.clear()
        ns["ddpm_sample"](record, (3000, 2), schedule)
        facts += [added, shared, torch.equal(first, inputs[0])]
    except Exception as error:
        facts.append(Raised(error))
    return facts


# --- DDIM ------------------------------------------------------------------------------------------
def probe_ddim(ns):
    schedule = _schedule(ns)
    outcomes = []
    for x_T, steps in ((_fixed(3, 2), [12, 8, 4, 1]), (_fixed(2, 1, 2, 2, offset=0.5), [11, 3]), (_fixed(3, 2), [12])):
        given = list(steps)
        torch.manual_seed(9)
        first = calls(ns["ddim_sample"], [(_model, x_T, schedule, given)])[0]
        torch.manual_seed(10)
        again = calls(ns["ddim_sample"], [(_model, x_T, schedule, list(steps))])[0]
        same = isinstance(first, torch.Tensor) and isinstance(again, torch.Tensor) and torch.equal(first, again)
        outcomes += [first, same, given == steps]
    return outcomes
