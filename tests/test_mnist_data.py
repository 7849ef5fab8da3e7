"""The MNIST loader: real files, checksums, the search order, downloads from mirrors, and its error messages."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
import torch

from dgmcourse.student import data
from dgmcourse.student.data import FILES, MnistDataError, ensure_files, load_mnist, mnist_dir

SHARED = os.environ.get(data.MNIST_ENV, "")
needs_real_mnist = pytest.mark.skipif(not SHARED or not Path(SHARED, "t10k-images-idx3-ubyte.gz").exists(),
                                      reason=f"${data.MNIST_ENV} does not point at the MNIST files")
TEST_FILES = list(data.SPLITS["test"])


@needs_real_mnist
def test_real_files_load_with_the_documented_shapes():
    images, labels = load_mnist("test")
    assert images.shape == (10000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (10000,) and labels.dtype == torch.int64
    assert float(images.min()) == 0.0 and float(images.max()) == 1.0
    assert labels[:5].tolist() == [7, 2, 1, 0, 4], "the official test set starts 7, 2, 1, 0, 4"
    assert torch.bincount(labels).tolist()[:3] == [980, 1135, 1032]


def test_search_order(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    assert mnist_dir() == tmp_path / "cache" / "dgmcourse" / "mnist"
    monkeypatch.setenv(data.MNIST_ENV, str(tmp_path / "env"))
    assert mnist_dir() == tmp_path / "env"
    assert mnist_dir(tmp_path / "arg") == tmp_path / "arg"


@needs_real_mnist
def test_corrupt_file_is_rejected_by_its_checksum(tmp_path):
    for name in TEST_FILES:
        shutil.copy(Path(SHARED, name), tmp_path / name)
    with open(tmp_path / TEST_FILES[0], "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(MnistDataError) as error:
        load_mnist("test", tmp_path)
    message = str(error.value)
    assert TEST_FILES[0] in message and FILES[TEST_FILES[0]] in message and "corrupt" in message


def test_missing_folder_says_which_files_go_where(tmp_path):
    folder = tmp_path / "nowhere"
    with pytest.raises(MnistDataError) as error:
        ensure_files(root=folder, download=False)
    message = str(error.value)
    assert f"Put these MNIST files into {folder}" in message
    assert all(name in message for name in FILES) and data.MNIST_ENV in message


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def local_mirror(tmp_path):
    """An HTTP server on 127.0.0.1 serving a folder: the 'mirror' of the download tests."""
    served = tmp_path / "served"
    served.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@needs_real_mnist
def test_download_tries_the_next_mirror_and_checks_the_hash(local_mirror, tmp_path):
    served, url = local_mirror
    for name in TEST_FILES:
        shutil.copy(Path(SHARED, name), served / name)
    dead = "http://127.0.0.1:9/"  # the discard port: nothing listens there
    folder = ensure_files(TEST_FILES, tmp_path / "cache", mirrors=(dead, url), timeout=5)
    assert sorted(p.name for p in folder.iterdir()) == sorted(TEST_FILES)
    images, labels = load_mnist("test", folder, download=False)
    assert images.shape[0] == labels.shape[0] == 10000


def test_download_of_a_tampered_file_is_refused(local_mirror, tmp_path):
    served, url = local_mirror
    (served / TEST_FILES[1]).write_bytes(b"not the real labels")
    with pytest.raises(MnistDataError) as error:
        ensure_files([TEST_FILES[1]], tmp_path / "cache", mirrors=(url,), timeout=5)
    message = str(error.value)
    assert "could not be downloaded" in message and TEST_FILES[1] in message
    assert not (tmp_path / "cache" / TEST_FILES[1]).exists(), "a file with the wrong hash must not be kept"
