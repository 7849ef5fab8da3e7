"""Image grids for the MNIST assignment: many small greyscale images drawn as one picture."""
from __future__ import annotations


def image_grid(images, nrow: int = 8, *, padding: int = 2, value_range: tuple[float, float] = (0.0, 1.0),
               pad_value: float = 0.5):
    """Tile greyscale images into one NumPy array, row by row.

    Args:
        images: ``N`` images as a tensor or array of shape ``[N, 1, H, W]``, ``[N, H, W]`` or
            ``[N, H*W]`` with ``H == W`` (a flat image must be square); any device.
        nrow: images per row of the grid.
        padding: pixels of ``pad_value`` between and around the images.
        value_range: ``(low, high)`` of the input values; they are mapped to ``[0, 1]`` and clipped
            (use ``(-1, 1)`` for a generator with a ``tanh`` output).
        pad_value: grey level of the padding, in ``[0, 1]``.

    Returns:
        A float array of shape ``[rows * (H + padding) + padding, nrow * (W + padding) + padding]``
        in ``[0, 1]``, where ``rows = ceil(N / nrow)``; empty cells are filled with ``pad_value``.
    """
    import numpy as np

    if hasattr(images, "detach"):
        images = images.detach().float().cpu().numpy()
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 4:
        if images.shape[1] != 1:
            raise ValueError(f"expected one channel, got shape {images.shape}")
        images = images[:, 0]
    elif images.ndim == 2:
        side = int(round(images.shape[1] ** 0.5))
        if side * side != images.shape[1]:
            raise ValueError(f"a flat image must be square, got {images.shape[1]} values")
        images = images.reshape(len(images), side, side)
    elif images.ndim != 3:
        raise ValueError(f"expected images of shape [N, 1, H, W], [N, H, W] or [N, H*W], got {images.shape}")
    if len(images) == 0:
        raise ValueError("no images to draw")
    low, high = value_range
    images = np.clip((images - low) / (high - low), 0.0, 1.0)
    count, height, width = images.shape
    ncol = max(1, min(nrow, count))
    rows = -(-count // ncol)
    grid = np.full((rows * (height + padding) + padding, ncol * (width + padding) + padding), pad_value)
    for index, image in enumerate(images):
        top = padding + (index // ncol) * (height + padding)
        left = padding + (index % ncol) * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def show_images(images, nrow: int = 8, *, ax=None, title: str | None = None,
                value_range: tuple[float, float] = (0.0, 1.0), padding: int = 2):
    """Draw ``image_grid(images, ...)`` on a matplotlib axis (white ink on black, no ticks); return the axis."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.imshow(image_grid(images, nrow, padding=padding, value_range=value_range), cmap="gray", vmin=0.0, vmax=1.0,
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
