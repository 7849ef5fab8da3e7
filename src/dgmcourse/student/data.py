"""MNIST from the four official IDX files, without torchvision.

Where the files are looked for, in order:

1. the ``root`` argument, when given;
2. the folder in ``$DGMCOURSE_MNIST_DIR``, when set;
3. a per-user cache, ``$XDG_CACHE_HOME/dgmcourse/mnist`` (``~/.cache/dgmcourse/mnist``).

Every file is checked against its well-known MD5 sum before it is read. A missing
file is downloaded into that folder (``pooch``, which checks the hash, trying the
mirrors in turn); where no mirror can be reached the error names the files and the
folder to put them in.
"""
from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

MNIST_ENV = "DGMCOURSE_MNIST_DIR"
FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)


class MnistDataError(RuntimeError):
    """MNIST cannot be read; the message says which file, where, and what to do."""


def mnist_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder MNIST is read from (and downloaded into): argument, then environment, then cache."""
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get(MNIST_ENV, "").strip():
        return Path(os.environ[MNIST_ENV].strip()).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(cache) / "dgmcourse" / "mnist"


def md5_of(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _instructions(folder: Path, names: list[str]) -> str:
    listing = "\n".join(f"  {name}  (md5 {FILES[name]})" for name in names)
    return (f"Put these MNIST files into {folder}:\n{listing}\n"
            f"or point ${MNIST_ENV} (or the root= argument) at a folder that holds them.")


def _download(name: str, folder: Path, mirrors: tuple[str, ...], timeout: float) -> list[str]:
    """Try each mirror in turn; return the failures (empty when the file arrived intact)."""
    import pooch

    failures = []
    for mirror in mirrors:
        try:
            pooch.retrieve(url=mirror + name, known_hash=f"md5:{FILES[name]}", fname=name, path=folder,
                           downloader=pooch.HTTPDownloader(timeout=timeout, progressbar=False))
            return []
        except Exception as error:  # any failure means: try the next mirror
            failures.append(f"{mirror}{name}: {type(error).__name__}: {str(error).splitlines()[0][:160]}")
    return failures


def ensure_files(names: list[str] | None = None, root: str | os.PathLike | None = None, *, download: bool = True,
                 mirrors: tuple[str, ...] = MIRRORS, timeout: float = 20.0) -> Path:
    """Make sure the named MNIST files are in the data folder with the right checksums; return the folder."""
    folder = mnist_dir(root)
    names = list(names or FILES)
    missing = []
    for name in names:
        path = folder / name
        if not path.exists():
            missing.append(name)
        elif (found := md5_of(path)) != FILES[name]:
            raise MnistDataError(f"{path} has MD5 {found}, expected {FILES[name]}: the file is corrupt or "
                                 f"incomplete. Delete it and run again to download it, or replace it.\n"
                                 + _instructions(folder, [name]))
    if missing and download:
        failures = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            failures.append(f"cannot create {folder}: {error}")
        else:
            for name in missing:
                failures.extend(_download(name, folder, mirrors, timeout))
        missing = [name for name in missing if not (folder / name).exists()]
        if missing:
            raise MnistDataError("MNIST files are missing and could not be downloaded:\n"
                                 + "\n".join(f"  - {f}" for f in failures) + "\n" + _instructions(folder, missing))
    elif missing:
        raise MnistDataError("MNIST files are missing (downloading is off):\n" + _instructions(folder, missing))
    return folder


def read_idx(path: Path):
    """A NumPy array from a gzipped IDX file (magic 2049: labels, 2051: images)."""
    import numpy as np

    with gzip.open(path, "rb") as handle:
        data = handle.read()
    magic = int.from_bytes(data[0:4], "big")
    dims = data[3]
    if magic not in (2049, 2051):
        raise MnistDataError(f"{path} is not an MNIST IDX file (magic number {magic})")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise MnistDataError(f"{path} holds {body.size} values, its header says {shape}")
    return body.reshape(shape)


def load_mnist(split: str = "train", root: str | os.PathLike | None = None, *, device=None, download: bool = True):
    """MNIST images and labels as tensors.

    Returns ``(images, labels)``: ``images`` is float32 of shape ``[N, 1, 28, 28]`` with values
    in ``[0, 1]``; ``labels`` is int64 of shape ``[N]``. ``N`` is 60000 for ``"train"`` and
    10000 for ``"test"``. With ``device`` the tensors are moved there once, so that training
    can batch by indexing instead of a per-item ``DataLoader``.
    """
    import torch

    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    image_file, label_file = SPLITS[split]
    folder = ensure_files([image_file, label_file], root, download=download)
    images = torch.from_numpy(read_idx(folder / image_file).copy()).unsqueeze(1).float().div_(255.0)
    labels = torch.from_numpy(read_idx(folder / label_file).astype("int64"))
    if images.shape[0] != labels.shape[0]:
        raise MnistDataError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels in {folder}")
    if device is not None:
        images, labels = images.to(device), labels.to(device)
    return images, labels
