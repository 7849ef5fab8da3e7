"""Small plotting helpers shared by the notebooks, so figures look alike across assignments."""
from __future__ import annotations

from typing import Mapping, Sequence


def use_course_style() -> None:
    """A readable default style for lecture figures (seaborn's whitegrid, larger fonts)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", font_scale=1.1)
    plt.rcParams["figure.figsize"] = (8, 4.5)
    plt.rcParams["figure.dpi"] = 100


def _to_numpy(x):
    import numpy as np

    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=float)


def bar_compare(support: Sequence[float], pmfs: Mapping[str, Sequence[float]], *, ax=None,
                xlabel: str = "value", ylabel: str = "probability", title: str | None = None):
    """Side-by-side bars for several probability mass functions over the same support."""
    import matplotlib.pyplot as plt
    import numpy as np

    ax = ax or plt.gca()
    support = _to_numpy(support)
    width = 0.8 / max(len(pmfs), 1)
    offsets = (np.arange(len(pmfs)) - (len(pmfs) - 1) / 2) * width
    for offset, (label, pmf) in zip(offsets, pmfs.items()):
        ax.bar(support + offset, _to_numpy(pmf), width=width, label=label)
    ax.set_xticks(support)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(pmfs) > 1:
        ax.legend()
    return ax
