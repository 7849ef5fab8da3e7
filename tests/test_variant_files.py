"""Variant headers are parsed strictly and batched so that every loss stays attributable."""
from __future__ import annotations

from pathlib import Path

import pytest

from dgmcourse.instructor.variants import VariantError, batches, expected_scores, load, parse, validate

from conftest import REPO


def _write(tmp_path: Path, name: str, header: str, body: str = "def f():\n    return 1\n") -> Path:
    path = tmp_path / name
    path.write_text(header + body)
    return path


def test_header_is_parsed(tmp_path):
    path = _write(tmp_path, "lose_w1_mean.py", "# Uses a mean.\n# replaces: w1__solution\n# loses: w1__a w1__b\n"
                                               "# demo: partial-student\n")
    variant = parse(path)
    assert (variant.name, variant.description, variant.replaces) == ("lose_w1_mean", "Uses a mean.", "w1__solution")
    assert variant.loses == {"w1__a", "w1__b"} and variant.demo_roles == {"partial-student"}
    assert variant.must_lose and variant.code.endswith("return 1\n")


@pytest.mark.parametrize("name, header, message", [
    ("wrong_name.py", "# replaces: a__solution\n", "named lose_<what>.py or full_<what>.py"),
    ("lose_x.py", "# loses: a__tests\n", "needs '# replaces:"),
    ("lose_x.py", "# replaces: a__solution\n", "must declare '# loses:"),
    ("full_x.py", "# replaces: a__solution\n# loses: a__tests\n", "cannot declare 'loses'"),
])
def test_malformed_headers_are_explained(tmp_path, name, header, message):
    with pytest.raises(VariantError, match=message):
        parse(_write(tmp_path, name, header))


def test_unknown_grade_ids_are_reported(tmp_path):
    variant = parse(_write(tmp_path, "lose_x.py", "# replaces: nope__solution\n# loses: nope__tests\n"))
    with pytest.raises(VariantError, match="'nope__solution', which is not a solution cell") as error:
        validate([variant], {"a__solution"}, {"a__tests"})
    assert "'nope__tests', which is not a test cell" in str(error.value)


def test_batches_keep_losses_apart(tmp_path):
    a = parse(_write(tmp_path, "lose_a.py", "# replaces: a__solution\n# loses: a__tests\n"))
    a2 = parse(_write(tmp_path, "lose_a2.py", "# replaces: a__solution\n# loses: a__tests\n"))
    b = parse(_write(tmp_path, "lose_b.py", "# replaces: b__solution\n# loses: b__tests c__tests\n"))
    c = parse(_write(tmp_path, "lose_c.py", "# replaces: c__solution\n# loses: c__tests\n"))
    full = parse(_write(tmp_path, "full_a.py", "# replaces: a__solution\n"))
    groups = batches([a, a2, b, c, full])
    assert [[v.name for v in g] for g in groups] == [["lose_a", "lose_b"], ["lose_a2", "lose_c"], ["full_a"]]
    points = {"a__tests": 2.0, "b__tests": 1.0, "c__tests": 3.0}
    assert expected_scores(groups[0], points) == {"a__tests": 0.0, "b__tests": 0.0, "c__tests": 0.0}
    assert expected_scores(groups[2], points) == points


def test_a_loss_passed_on_into_a_task_keeps_that_task_s_variants_apart(tmp_path):
    """A schedule mistake that stops the loss's trend from falling, and a loss mistake that lets the loss fall
    anyway (06: alpha for alpha_bar with noise from a fixed generator), would undo each other in one submission."""
    schedule = parse(_write(tmp_path, "lose_s.py", "# replaces: s__solution\n# loses: s__tests loss__trend\n"))
    loss = parse(_write(tmp_path, "lose_l.py", "# replaces: loss__solution\n# loses: loss__tests\n"))
    other = parse(_write(tmp_path, "lose_o.py", "# replaces: o__solution\n# loses: o__tests\n"))
    groups = [[v.name for v in g] for g in batches([schedule, loss, other])]
    assert groups == [["lose_s", "lose_o"], ["lose_l"]]


def test_every_committed_variant_file_parses():
    for folder in sorted((REPO / "tests" / "variants").iterdir()):
        assert load(folder), f"{folder} holds no variants"


def test_a_variant_can_replace_several_cells(tmp_path):
    path = _write(tmp_path, "full_both.py", "# Both.\n# kind: namespace\n# replaces: a__solution b__solution\n",
                  "# %% a__solution\nimport math as _m\n# %% b__solution\ndef g():\n    return _m.pi\n")
    variant = parse(path)
    assert variant.kind == "namespace" and list(variant.cells) == ["a__solution", "b__solution"]
    assert variant.cells["b__solution"] == "def g():\n    return _m.pi\n"
    other = parse(_write(tmp_path, "full_b.py", "# replaces: b__solution\n"))
    assert [[v.name for v in g] for g in batches([variant, other])] == [["full_both"], ["full_b"]]
    with pytest.raises(VariantError, match="replaces 'b__solution', which is not a solution cell"):
        validate([variant], {"a__solution"}, set())


@pytest.mark.parametrize("header, body, message", [
    ("# replaces: a__solution b__solution\n", "# %% a__solution\nx = 1\n", "needs one '# %% <grade id>' line"),
    ("# kind: vibes\n# replaces: a__solution\n", "x = 1\n", "kind 'vibes' is not one of"),
])
def test_malformed_multi_cell_variants_and_kinds_are_explained(tmp_path, header, body, message):
    with pytest.raises(VariantError, match=message):
        parse(_write(tmp_path, "full_x.py", header, body))


def _graded_notebook(tmp_path: Path, outputs: dict[str, str]) -> Path:
    """An autograded notebook whose test cells printed the given text."""
    from dgmcourse.instructor import notebooks as nb

    cells = [{"cell_type": "code", "source": "", "execution_count": 1, "outputs":
              [{"output_type": "stream", "name": "stdout", "text": text}] if text else [],
              "metadata": {"nbgrader": {"grade": True, "solution": False, "grade_id": gid, "points": 1}}}
             for gid, text in outputs.items()]
    path = tmp_path / "autograded" / "s" / "a" / "x.ipynb"
    path.parent.mkdir(parents=True)
    nb.save({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, path)
    return path


def test_caught_visible_is_read_from_the_graded_output(tmp_path):
    """A `# caught: visible` variant must fail a visible check of its own task; later tasks' losses do not count."""
    from types import SimpleNamespace

    from dgmcourse.instructor.variant_grading import VISIBLE_CHECKS_PASSED, visible_check_misses

    caught = parse(_write(tmp_path, "lose_a.py", "# kind: pitfall\n# caught: visible\n# replaces: a__solution\n"
                                                 "# loses: a__values a__gradient b__tests\n"))
    hidden = parse(_write(tmp_path, "lose_c.py", "# replaces: c__solution\n# loses: c__tests\n"))
    assert caught.caught_by_visible_checks and not hidden.caught_by_visible_checks

    def run_with(printed: dict[str, str]):
        path = _graded_notebook(tmp_path / str(len(list(tmp_path.iterdir()))), printed)
        student = SimpleNamespace(batch=[caught, hidden], notebooks={"x.ipynb": {}})
        return SimpleNamespace(students={"s": student}, autograded_notebook=lambda s, name: path)

    passed = VISIBLE_CHECKS_PASSED + "\n"
    # a__values failed before its hidden tests: caught, although a__gradient and b__tests passed their visible part.
    assert visible_check_misses(run_with({"a__values": "", "a__gradient": passed, "b__tests": passed,
                                          "c__tests": passed}), "s") == {}
    # Every cell of task a printed the line: only the hidden tests caught it (b__tests is another task's).
    assert visible_check_misses(run_with({"a__values": passed, "a__gradient": passed, "b__tests": "",
                                          "c__tests": passed}), "s") == {"lose_a": ["a__gradient", "a__values"]}


@pytest.mark.parametrize("name, header, message", [
    ("full_x.py", "# caught: visible\n# replaces: a__solution\n", "only a lose_ variant is caught"),
    ("lose_x.py", "# caught: sometimes\n# replaces: a__solution\n# loses: a__tests\n", "not one of visible, hidden"),
])
def test_malformed_caught_lines_are_explained(tmp_path, name, header, message):
    with pytest.raises(VariantError, match=message):
        parse(_write(tmp_path, name, header))
