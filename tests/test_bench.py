"""`dgmcourse bench`: each section measures the real thing, refuses runs that did not do their work,
and reports against its targets. Small sizes here; the full run is `dgmcourse bench`."""
from __future__ import annotations

import json
import shutil

import pytest

from dgmcourse.cli import main
from dgmcourse.instructor.bench import BenchFailure, mnist, notebooks, report, throughput, vectorisation
from dgmcourse.student.data import MNIST_ENV

from conftest import make_toy_course

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")


# --- vectorisation --------------------------------------------------------------------------
def test_vectorised_elbo_agrees_with_the_loop_and_is_faster(repo_course):
    result = vectorisation.measure(repo_course, num_samples=128, repeats=20)
    assert result["samples"] == 128
    assert result["ratio"] > 5, f"a vectorised estimator must beat a Python loop over 128 samples: {result}"


def test_a_wrong_vectorised_elbo_is_refused(repo_course, monkeypatch):
    real = vectorisation.run_cells

    def broken(*args, **kwargs):
        namespace = real(*args, **kwargs)
        right = namespace["elbo_monte_carlo"]
        namespace["elbo_monte_carlo"] = lambda theta, x, lam, n, generator=None: right(theta, x, lam, n, generator) + 1
        return namespace

    monkeypatch.setattr(vectorisation, "run_cells", broken)
    with pytest.raises(BenchFailure, match="disagree"):
        vectorisation.measure(repo_course, repeats=5)


# --- MNIST ------------------------------------------------------------------------------------
@pytest.fixture
def mnist_available(monkeypatch):
    from dgmcourse.student.data import MnistDataError, ensure_files

    try:
        ensure_files(download=False)
    except MnistDataError as error:
        pytest.skip(f"MNIST files not available ({MNIST_ENV}): {error}")


def test_both_data_paths_feed_the_same_images(mnist_available):
    import numpy as np
    import torch

    from dgmcourse.student.data import load_mnist

    images, labels = load_mnist("train")
    raw = (images[:5, 0] * 255).round().to(torch.uint8).numpy()
    for normalise, expected in ((False, images[:5]), (True, images[:5] * 2 - 1)):
        dataset = mnist.SeedStyleMNIST(raw, labels[:5].numpy(), normalise)
        got = torch.stack([dataset[i][0] for i in range(5)])
        assert got.shape == (5, 1, 28, 28) and got.dtype == torch.float32
        np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=1e-6)
    assert dataset[3][1] == int(labels[3])


def test_flops_per_step_match_the_layer_sizes(repo_course):
    """The floor's FLOP count, checked against the VAE's layer sizes by hand."""
    import torch

    namespace = mnist.course_namespace(repo_course)
    step, _ = mnist._trainers(namespace, torch.device("cpu"))["vae"]
    b = mnist.BATCH
    layers = [(784, 400), (400, 16), (400, 16), (16, 400), (400, 784)]
    forward = sum(2 * b * i * o for i, o in layers)
    # Backward: gradients of weights and inputs (2 x forward), less the input gradient of the first layer.
    expected = 3 * forward - 2 * b * 784 * 400
    assert mnist.flops_per_step(step, torch.rand(b, 1, 28, 28)) == expected


def test_mnist_section_on_a_short_epoch(repo_course, mnist_available):
    result = mnist.measure(repo_course, n_images=1024, echo=lambda *a: None)
    cpu = result["devices"][0]
    assert cpu["device"] == "cpu" and cpu["images_per_epoch"] == 1024
    for model in ("vae", "gan"):
        r = cpu["models"][model]
        assert r["course_images_per_second"] > 0 and r["seed_images_per_second"] > 0
        assert r["seed_data_only_seconds"] > r["course_data_only_seconds"], \
            "per-item conversion and collation must cost more than indexing a resident tensor"
        assert 0 < r["floor_seconds_per_epoch"] and r["gflop_per_epoch"] > 0


# --- notebooks and throughput (the real grader, on the toy course) -----------------------------
@needs_bwrap
def test_notebook_section_times_a_graded_solution(toy_course, tmp_path):
    result = notebooks.measure(toy_course, tmp_path / "work", ["toy"], repeats=2, echo=lambda *a: None)
    toy = result["assignments"]["toy"]
    assert len(toy["runs_seconds"]) == 2 and all(0 < s for s in toy["runs_seconds"])
    assert all(g > s for g, s in zip(toy["grading_seconds"], toy["runs_seconds"])), \
        "grading a submission includes running its notebook"
    assert toy["budget_seconds"] is None and toy["within_budget"] is None
    assert result["sandbox"] is True
    assert "naming_mistakes" not in toy, "a course without a catalogue names nothing"


@needs_bwrap
def test_notebook_section_times_the_naming_of_mistakes(tmp_path):
    course = make_toy_course(tmp_path / "course", catalogue=True)
    result = notebooks.measure(course, tmp_path / "work", ["toy"], repeats=1, echo=lambda *a: None)
    naming = result["assignments"]["toy"]["naming_mistakes"]
    assert naming["named"] == ["add_subtracts"]
    assert 0 < naming["diagnosis_seconds"] and 0 < naming["notebook_seconds"]
    assert naming["share"] == pytest.approx(naming["diagnosis_seconds"] / naming["notebook_seconds"], abs=1e-3)
    rows = report.rows({"sections": {"notebooks": result}})
    assert any(row[0].startswith("naming mistakes in toy") for row in rows)


@needs_bwrap
def test_throughput_section_grades_every_submission_three_ways(toy_course, tmp_path):
    result = throughput.measure(toy_course, tmp_path / "work", "toy", n_submissions=2, echo=lambda *a: None)
    assert set(result["runs"]) == {"nbgrader_serial", "dgmcourse_jobs1", "dgmcourse_jobs2", "dgmcourse_dask2"}
    assert all(run["seconds"] > 0 for run in result["runs"].values())
    assert result["projected_hours_300x5_at_jobs2"] > 0
    assert result["coordinator"]["sqlite"]["records_per_second"] > 0
    hours = [result["projected_1500_notebooks"][str(c)]["hours"] for c in (8, 32, 128)]
    assert hours[0] >= hours[1] >= hours[2] > 0, "more worker cores never take longer"


def test_a_grading_run_without_full_marks_is_refused():
    output = "student-001 / toy: graded 3/3\nstudent-002 / toy: graded 1/3\n"
    with pytest.raises(BenchFailure, match="student-002"):
        throughput._check_dgmcourse_output(output, ["student-001", "student-002"], jobs=1)
    with pytest.raises(BenchFailure, match="did not grade student-003"):
        throughput._check_dgmcourse_output(output, ["student-003"], jobs=2)


# --- the report and the command ------------------------------------------------------------------
def test_table_marks_missed_targets():
    results = {"machine": {"date": "2026-11-21"}, "total_seconds": 1, "sections": {"throughput": {
        "assignment": "01_x", "submissions": 8, "overhead_jobs1_vs_nbgrader": 0.2, "speedup_jobs2_vs_nbgrader": 1.8,
        "projected_hours_300x5_at_jobs2": 3.0,
        "runs": {k: {"seconds": 80.0, "seconds_per_submission": 10.0}
                 for k in ("nbgrader_serial", "dgmcourse_jobs1", "dgmcourse_jobs2")}}}}
    rows = {row[0]: row for row in report.rows(results)}
    assert rows["dgmcourse grade --jobs 1"][4] == "MISSED"
    assert rows["dgmcourse grade --jobs 2"][4] == "met"
    assert "MISSED" in report.table(results)


def test_bench_command_writes_json_and_prints_the_table(repo_course, tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--course", str(repo_course.root), "bench", "--only", "vectorisation", "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["sections"]["vectorisation"]["ratio"] > 1
    assert results["machine"]["cpu_cores"] >= 1
    assert "A04 Monte Carlo ELBO" in capsys.readouterr().out
