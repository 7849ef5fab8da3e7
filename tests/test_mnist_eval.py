"""Assignment 05's helpers: image grids, the digit classifier and the statistics of generated digits."""
from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest
import torch

from dgmcourse.student import data
from dgmcourse.student.images import image_grid, show_images
from dgmcourse.student.mnist_eval import (accuracy, make_digit_classifier, predict_proba, sample_statistics,
                                          statistics_table, train_digit_classifier)

SHARED = os.environ.get(data.MNIST_ENV, "")
needs_real_mnist = pytest.mark.skipif(not SHARED or not Path(SHARED, "t10k-images-idx3-ubyte.gz").exists(),
                                      reason=f"${data.MNIST_ENV} does not point at the MNIST files")


@pytest.fixture
def one_thread():
    """Small networks train much faster on one thread than on two contended ones (as in the notebook)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_grid_places_images_row_by_row_with_padding():
    images = torch.stack([torch.full((1, 3, 3), v) for v in (0.0, 0.25, 0.5, 1.0, 0.75)])
    grid = image_grid(images, nrow=2, padding=1, pad_value=0.5)
    assert grid.shape == (3 * 4 + 1, 2 * 4 + 1)
    assert grid[1:4, 1:4].tolist() == [[0.0] * 3] * 3            # image 0: top left
    assert np.all(grid[1:4, 5:8] == 0.25)                         # image 1: top right
    assert np.all(grid[5:8, 1:4] == 0.5) and np.all(grid[5:8, 5:8] == 1.0)
    assert np.all(grid[9:12, 1:4] == 0.75)                        # image 4 starts the third row
    assert np.all(grid[9:12, 5:8] == 0.5)                         # the empty cell is padding
    assert np.all(grid[0] == 0.5) and np.all(grid[:, 4] == 0.5)


def test_grid_accepts_flat_and_tanh_images_and_clips():
    flat = torch.linspace(-1, 1, 2 * 16).reshape(2, 16)
    grid = image_grid(flat, nrow=4, padding=0, value_range=(-1, 1))
    assert grid.shape == (4, 8)
    assert grid.min() == 0.0 and grid.max() == 1.0
    assert np.allclose(grid[:, :4].ravel(), (flat[0].numpy() + 1) / 2)
    assert image_grid(np.full((1, 2, 2), 7.0)).max() == 1.0       # values above the range are clipped
    with pytest.raises(ValueError, match="square"):
        image_grid(torch.zeros(2, 15))
    with pytest.raises(ValueError, match="one channel"):
        image_grid(torch.zeros(2, 3, 4, 4))


def test_show_images_draws_one_picture():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert show_images(torch.rand(10, 1, 28, 28), 5, ax=ax, title="t") is ax
    assert ax.get_title() == "t" and len(ax.images) == 1 and ax.images[0].get_array().shape == (2 * 30 + 2, 5 * 30 + 2)
    plt.close(fig)


def test_statistics_of_confident_even_and_collapsed_predictions():
    even = torch.eye(10).repeat(3, 1)                      # 30 one-hot rows, 3 per class
    stats = sample_statistics(even)
    assert stats["confident"] == 1.0 and stats["histogram"] == [3] * 10
    assert stats["entropy"] == pytest.approx(math.log(10)) and stats["spread"] == pytest.approx(1.0)
    collapsed = torch.zeros(8, 10)
    collapsed[:, 4] = 0.85
    collapsed[:, 7] = 0.15
    stats = sample_statistics(collapsed)
    assert stats["confident"] == 0.0 and stats["histogram"][4] == 8 and stats["spread"] == 0.0
    assert sample_statistics(collapsed, threshold=0.8)["confident"] == 1.0
    two = torch.tensor([[0.95] + [0.05 / 9] * 9, [0.05 / 9] * 9 + [0.95]])
    assert sample_statistics(two)["spread"] == pytest.approx(math.log(2) / math.log(10))
    assert "class spread" in statistics_table({"two": sample_statistics(two)})
    with pytest.raises(ValueError, match=r"\[N, 10\]"):
        sample_statistics(torch.ones(3, 9) / 9)


def test_classifier_learns_ten_noisy_prototypes_quickly(one_thread):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    prototypes = (torch.rand(10, 1, 28, 28, generator=generator) > 0.7).float()
    labels = torch.arange(10).repeat(60)
    images = (prototypes[labels] + 0.3 * torch.randn(600, 1, 28, 28, generator=generator)).clamp(0, 1)
    model = train_digit_classifier(images, labels, epochs=3, batch_size=64, hidden=32)
    assert not model.training
    probs = predict_proba(model, images)
    assert probs.shape == (600, 10) and probs.dtype == torch.float32
    assert torch.allclose(probs.sum(1), torch.ones(600), atol=1e-5)
    assert accuracy(model, images, labels) > 0.95
    assert make_digit_classifier(8)(torch.zeros(2, 784)).shape == (2, 10)
    with pytest.raises(ValueError, match="labels"):
        train_digit_classifier(images, labels[:-1])


@needs_real_mnist
def test_classifier_on_a_subset_of_mnist_is_accurate_and_confident(one_thread):
    torch.manual_seed(0)
    images, labels = data.load_mnist("test")
    model = train_digit_classifier(images[:3000], labels[:3000], epochs=3)
    assert accuracy(model, images[5000:7000], labels[5000:7000]) > 0.85
    stats = sample_statistics(predict_proba(model, images[5000:7000]))
    assert stats["confident"] > 0.6 and stats["spread"] > 0.95
    noise = sample_statistics(predict_proba(model, torch.rand(500, 1, 28, 28)))
    assert noise["spread"] < stats["spread"]
