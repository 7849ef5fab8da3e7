"""Masters paired with their text forms (jupytext percent): in sync, lossless, never released."""
from __future__ import annotations

import subprocess
import sys

import pytest

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import Course, copy_course
from dgmcourse.instructor.text_form import first_difference, from_text, out_of_sync, text_path, to_text

from conftest import REPO

MASTERS = sorted((REPO / "source").glob("*/*.ipynb"))


def test_every_master_has_a_text_form_that_agrees_with_it():
    problems = out_of_sync(MASTERS)
    assert not problems, "\n".join(map(str, problems)) + "\nrun `dgmcourse sync` and commit both files"


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.parent.name)
def test_a_round_trip_through_text_keeps_every_cell_and_its_grading_metadata(master):
    notebook = nb.load(master)
    again = from_text(to_text(notebook))
    assert len(again["cells"]) == len(notebook["cells"])
    for index, (a, b) in enumerate(zip(notebook["cells"], again["cells"])):
        assert (a["cell_type"], nb.source(a)) == (b["cell_type"], nb.source(b)), f"cell {index + 1}"
        assert a["metadata"].get("nbgrader") == b["metadata"].get("nbgrader"), f"cell {index + 1}: nbgrader metadata"
        assert a["metadata"] == b["metadata"], f"cell {index + 1}: metadata"
    assert again["metadata"]["kernelspec"] == notebook["metadata"]["kernelspec"]


def test_a_changed_hidden_test_in_the_text_form_is_reported_with_its_file_and_cell(tmp_path):
    master = MASTERS[0]
    text = text_path(master).read_text()
    changed = text.replace("### BEGIN HIDDEN TESTS", "### BEGIN HIDDEN TESTS\nassert True", 1)
    difference = first_difference(nb.load(master), changed)
    assert difference and "differs in its source" in difference and "__" in difference, difference


def test_release_refuses_a_pair_that_disagrees_and_never_ships_the_text_form(repo_course, tmp_path):
    course = copy_course(repo_course, tmp_path / "course", with_release=False)
    assignment = MASTERS[0].parent.name
    pair = text_path(course.master_notebooks(assignment)[0])
    original = pair.read_text()
    pair.write_text(original.replace("# %% [markdown]", "# %% [markdown]\n# An edit not synced.", 1))
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "release",
                           assignment], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "disagree" in done.stderr and pair.name in done.stderr, done.stderr
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "sync", assignment],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and ".ipynb" in done.stdout, done.stdout + done.stderr
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "release",
                           assignment], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    shipped = sorted(p.name for p in (course.release_dir / assignment).iterdir())
    assert shipped == [MASTERS[0].name], f"release/ holds {shipped}: the text form (with solutions) must never ship"
    assert "An edit not synced." in nb.source(nb.load(course.release_dir / assignment / MASTERS[0].name)["cells"][0])
    assert isinstance(course, Course)
