"""MNIST training speed: the course's data path against the seed notebooks' path, same models, same process.

- **course path** (assignment 05): all images are one float tensor on the device, loaded once;
  a batch is ``images[order[start:start + B]]``, a single indexing operation.
- **seed path**: a ``Dataset`` that does per image what torchvision's ``MNIST`` with
  ``ToTensor()`` (and ``Normalize(0.5, 0.5)`` for the GAN) does: a PIL image from the uint8
  array, back to a tensor, divided by 255; ``DataLoader`` collates 128 of them per batch
  in Python and the batch is then moved to the device.

The VAE, the GAN and their training steps are the master notebook's own (``master_code``).
Both paths use batch 128 and the same step functions, so the ratio isolates the data path.
Next to the measured epoch time stands its arithmetic floor: the epoch's FLOPs (counted by
``torch.utils.flop_counter`` on one step) over the device's measured float32 matmul rate.
"""
from __future__ import annotations

import math

from dgmcourse.instructor.bench.master_code import run_cells
from dgmcourse.instructor.bench.timing import BenchFailure, stopwatch
from dgmcourse.instructor.course import Course

ASSIGNMENT = "05_mnist_vae_gan"
MODEL_CELLS = ["setup", "reparameterize__solution", "kl__solution", "neg_elbo__solution", "vae_model",
               "vae_step__solution", "gan_model", "d_loss__solution", "g_loss__solution", "gan_step__solution"]
BATCH = 128
WARMUP_STEPS = 5


class SeedStyleMNIST:
    """The seed notebooks' dataset: per item, the steps torchvision's MNIST, ToTensor and Normalize take.

    The images are kept as a uint8 tensor; each item becomes a PIL image, a NumPy array, a
    float tensor divided by 255 and, for the GAN, is normalised with mean and std tensors
    after checking that no std is zero.
    """

    def __init__(self, images, labels, normalise: bool):
        import torch

        self.images, self.labels = torch.from_numpy(images.copy()), torch.from_numpy(labels.astype("int64"))
        self.normalise = normalise

    def __len__(self) -> int:
        return len(self.images)

    @staticmethod
    def to_tensor(picture):
        import numpy as np
        import torch

        x = torch.from_numpy(np.array(picture, np.uint8, copy=True))
        x = x.view(picture.size[1], picture.size[0], len(picture.getbands())).permute((2, 0, 1)).contiguous()
        return x.to(dtype=torch.get_default_dtype()).div(255)

    @staticmethod
    def normalize(x, mean=(0.5,), std=(0.5,)):
        import torch

        mean = torch.as_tensor(mean, dtype=x.dtype, device=x.device)
        std = torch.as_tensor(std, dtype=x.dtype, device=x.device)
        if (std == 0).any():
            raise ValueError("std evaluated to zero")
        return x.clone().sub_(mean.view(-1, 1, 1)).div_(std.view(-1, 1, 1))

    def __getitem__(self, index: int):
        from PIL import Image

        picture = Image.fromarray(self.images[index].numpy())
        x = self.to_tensor(picture)
        if self.normalise:
            x = self.normalize(x)
        return x, int(self.labels[index])


def course_namespace(course: Course) -> dict:
    import torch

    # The gan_model cell turns the notebook's training images into GAN data; give it a stand-in.
    namespace = {"train_images": torch.zeros(1, 1, 28, 28), "N_TRAIN": 1}
    return run_cells(course, ASSIGNMENT, MODEL_CELLS, namespace)


def _trainers(namespace: dict, device) -> dict:
    """model name -> (a step on a batch in the model's input format, data format of the seed path)."""
    import torch

    torch.manual_seed(0)
    vae = namespace["VAE"]().to(device)
    vae_optimizer = torch.optim.Adam(vae.parameters(), lr=namespace["VAE_LR"])
    generator = namespace["make_generator"]().to(device)
    discriminator = namespace["make_discriminator"]().to(device)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=namespace["GAN_LR"], betas=namespace["GAN_BETAS"])
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=namespace["GAN_LR"], betas=namespace["GAN_BETAS"])

    def vae_step(x):  # x: [B, 1, 28, 28] in [0, 1]
        return namespace["vae_train_step"](vae, vae_optimizer, x)

    def gan_step(x):  # x: [B, 1, 28, 28] in [-1, 1]
        return namespace["gan_train_step"](generator, discriminator, g_optimizer, d_optimizer,
                                           x.reshape(x.shape[0], -1), namespace["Z_DIM"])

    return {"vae": (vae_step, False), "gan": (gan_step, True)}


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def course_epoch(step, images, device) -> tuple[int, float]:
    """One epoch along the course's path; (images seen, seconds)."""
    import torch

    n = len(images)
    seen = 0
    _sync(device)
    with stopwatch() as elapsed:
        order = torch.randperm(n, device=device)
        for start in range(0, n - BATCH + 1, BATCH):
            step(images[order[start:start + BATCH]])
            seen += BATCH
        _sync(device)
    return seen, elapsed()


def seed_epoch(step, dataset: SeedStyleMNIST, device) -> tuple[int, float]:
    """One epoch along the seed notebooks' path; (images seen, seconds)."""
    from torch.utils.data import DataLoader

    seen = 0
    _sync(device)
    with stopwatch() as elapsed:
        for x, _ in DataLoader(dataset, batch_size=BATCH, shuffle=True, drop_last=True):
            step(x.to(device))
            seen += len(x)
        _sync(device)
    return seen, elapsed()


def flops_per_step(step, batch) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        step(batch)
    return int(counter.get_total_flops())


def matmul_rate(device) -> float:
    """Measured float32 matrix-multiply rate of the device, FLOP/s (best of a few)."""
    import torch

    n = 8192 if device.type == "cuda" else 2048
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    a @ b
    best = math.inf
    for _ in range(5 if device.type == "cuda" else 3):
        _sync(device)
        with stopwatch() as elapsed:
            a @ b
            _sync(device)
        best = min(best, elapsed())
    return 2 * n ** 3 / best


def measure_device(namespace: dict, raw_images, raw_labels, device, n_images: int, echo=print) -> dict:
    import torch

    raw_images, raw_labels = raw_images[:n_images], raw_labels[:n_images]
    images01 = torch.from_numpy(raw_images.copy()).unsqueeze(1).float().div_(255.0).to(device)
    data = {False: images01, True: images01 * 2 - 1}  # by "normalised to [-1, 1]"
    rate = matmul_rate(device)
    out = {"device": str(device), "images_per_epoch": n_images, "batch": BATCH,
           "matmul_float32_tflops": round(rate / 1e12, 3), "models": {}}
    for name, (step, normalised) in _trainers(namespace, device).items():
        course_images = data[normalised]
        for start in range(0, WARMUP_STEPS * BATCH, BATCH):  # first-call costs (lazy imports, allocator)
            step(course_images[start:start + BATCH])
        flops = flops_per_step(step, course_images[:BATCH])
        seen_course, course_seconds = course_epoch(step, course_images, device)
        seen_seed, seed_seconds = seed_epoch(step, SeedStyleMNIST(raw_images, raw_labels, normalised), device)
        if seen_course != seen_seed or seen_course == 0:
            raise BenchFailure(f"{name}: the two paths saw {seen_course} and {seen_seed} images")
        epoch_flops = flops * (n_images // BATCH)
        # The data paths alone (no training step): where the difference between the two comes from.
        _, course_data_seconds = course_epoch(lambda x: None, course_images, device)
        _, seed_data_seconds = seed_epoch(lambda x: None, SeedStyleMNIST(raw_images, raw_labels, normalised), device)
        course_ips, seed_ips = seen_course / course_seconds, seen_seed / seed_seconds
        out["models"][name] = {
            "course_images_per_second": round(course_ips), "seed_images_per_second": round(seed_ips),
            "ratio": round(course_ips / seed_ips, 2),
            "course_seconds_per_epoch": round(course_seconds, 3), "seed_seconds_per_epoch": round(seed_seconds, 3),
            "course_data_only_seconds": round(course_data_seconds, 4),
            "seed_data_only_seconds": round(seed_data_seconds, 3),
            "training_share_of_course_epoch": round(1 - course_data_seconds / course_seconds, 3),
            "gflop_per_epoch": round(epoch_flops / 1e9, 1),
            "floor_seconds_per_epoch": round(epoch_flops / rate, 4),
            "course_seconds_per_full_epoch": round(course_seconds * 60000 / seen_course, 3),
        }
        echo(f"  {name} on {device}: course {course_ips:,.0f} images/s, seed-style {seed_ips:,.0f} images/s "
             f"({course_ips / seed_ips:.2f}x); floor {epoch_flops / rate:.3f} s per epoch of {n_images}")
    return out


def measure(course: Course, n_images: int = 60000, echo=print) -> dict:
    import torch

    from dgmcourse.student.data import SPLITS, ensure_files, read_idx

    image_file, label_file = SPLITS["train"]
    folder = ensure_files([image_file, label_file])
    raw_images, raw_labels = read_idx(folder / image_file), read_idx(folder / label_file)
    namespace = course_namespace(course)
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    results = {"target_ratio_cpu": ">= 3", "devices": []}
    for device in devices:
        results["devices"].append(measure_device(namespace, raw_images, raw_labels, device,
                                                 min(n_images, len(raw_images)), echo))
    if not torch.cuda.is_available():
        results["gpu"] = "no GPU on this machine: the GPU figures were not measured"
    return results
