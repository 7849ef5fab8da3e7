"""Clocks, machine facts and the failure every section raises when a run did not do its work."""
from __future__ import annotations

import os
import platform
import statistics
import time
from contextlib import contextmanager


@contextmanager
def stopwatch():
    """``with stopwatch() as elapsed: ...`` then ``elapsed()`` is the wall time of the block, in seconds."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def machine() -> dict:
    """What the figures were measured on: they mean little without it."""
    import torch

    facts = {
        "date": time.strftime("%Y-%m-%d"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu_cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
    return facts


def machine_cpu_seconds() -> float | None:
    """CPU time the whole machine has spent busy since boot (Linux), or None where unknown.

    The whole machine, not this process's children: sandboxed kernels are reaped outside
    the grader's process tree, so their time never reaches ``getrusage``.
    """
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    """One-minute load average: a figure taken while it is well above the core count is suspect."""
    return round(os.getloadavg()[0], 2)


class BenchFailure(RuntimeError):
    """A benchmark run did not do the work it was timing; the message says what went wrong."""
