"""``dgmcourse bench``: where the course's time goes, each figure next to the alternative a user would have.

Sections (each its own module, each runnable alone with ``--only``):

- ``notebooks``      each master notebook at grading size, as the autograder runs it (median of 3);
- ``throughput``     N submissions graded by plain serial nbgrader, ``dgmcourse grade --jobs 1`` and ``--jobs 2``;
- ``mnist``          VAE and GAN training epochs, the course's data path against the seed notebooks' path;
- ``vectorisation``  assignment 04's vectorised Monte Carlo ELBO against a per-sample loop.

The result is printed as a table and written as JSON (``reports/bench.json`` by default).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from dgmcourse.instructor.bench.timing import BenchFailure, machine, median, stopwatch
from dgmcourse.instructor.course import Course

SECTIONS = ("notebooks", "throughput", "mnist", "vectorisation")
THROUGHPUT_ASSIGNMENT = "01_space_worms_wasserstein"

__all__ = ["BenchFailure", "SECTIONS", "run"]


def run(course: Course, *, sections: tuple[str, ...] = SECTIONS, repeats: int = 3, submissions: int = 8,
        throughput_assignment: str = THROUGHPUT_ASSIGNMENT, mnist_images: int = 60000,
        assignments: list[str] | None = None, postgres_url: str = "", echo=print) -> dict:
    """Run the chosen sections in order and return everything measured."""
    from dgmcourse.instructor.bench import mnist, notebooks, throughput, vectorisation

    results: dict = {"machine": machine(), "sections": {}}
    with stopwatch() as total, tempfile.TemporaryDirectory(prefix="dgmcourse-bench-") as tmp:
        work = Path(tmp)
        for section in sections:
            echo(f"{section} ...")
            with stopwatch() as elapsed:
                if section == "notebooks":
                    result = notebooks.measure(course, work, assignments, repeats, echo=echo)
                elif section == "throughput":
                    result = throughput.measure(course, work, throughput_assignment, submissions, echo=echo,
                                                postgres_url=postgres_url)
                elif section == "mnist":
                    result = mnist.measure(course, mnist_images, echo=echo)
                elif section == "vectorisation":
                    result = vectorisation.measure(course)
                else:
                    raise ValueError(f"unknown section {section!r}; sections: {', '.join(SECTIONS)}")
            result["section_seconds"] = round(elapsed(), 1)
            results["sections"][section] = result
        results["total_seconds"] = round(total(), 1)
    results["projection"] = project_term(results["sections"])
    return results


def project_term(sections: dict, students: int = 300) -> dict | None:
    """Hours to grade ``students`` x every assignment at ``--jobs 2``.

    Each assignment's grading time per submission (notebooks section, one at a time) is
    scaled by how much faster ``--jobs 2`` graded than ``--jobs 1`` in the throughput section.
    """
    if "notebooks" not in sections or "throughput" not in sections:
        return None
    runs = sections["throughput"]["runs"]
    parallel_gain = runs["dgmcourse_jobs1"]["seconds"] / runs["dgmcourse_jobs2"]["seconds"]
    per_assignment = {a: median(r["grading_seconds"]) / parallel_gain * students / 3600
                      for a, r in sections["notebooks"]["assignments"].items()}
    return {"students": students, "jobs": 2, "hours_by_assignment": {a: round(h, 2) for a, h in per_assignment.items()},
            "hours": round(sum(per_assignment.values()), 2)}


def write_json(results: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path
