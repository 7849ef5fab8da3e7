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


def _git_course(repo_course, tmp_path):
    course = copy_course(repo_course, tmp_path / "course", with_release=False)
    for command in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"]):
        subprocess.run(command, cwd=course.root, check=True, capture_output=True)
    return course


def _cli(course, *args):
    return subprocess.run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), *args],
                          capture_output=True, text=True, timeout=300)


def test_sync_never_throws_away_the_side_that_was_edited(repo_course, tmp_path):
    course = _git_course(repo_course, tmp_path)
    assignment = MASTERS[0].parent.name
    master = course.master_notebooks(assignment)[0]
    notebook = nb.load(master)
    graded = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("points"))
    graded["metadata"]["nbgrader"]["points"] += 1  # an edit made in Jupyter
    nb.save(notebook, master)
    done = _cli(course, "sync", assignment)
    assert done.returncode == 1 and "--from-notebooks" in done.stderr, done.stderr
    assert nb.load(master) == notebook, "the notebook's edit was thrown away"
    done = _cli(course, "sync", "--from-notebooks", assignment)
    assert done.returncode == 0, done.stderr
    assert f'"points": {graded["metadata"]["nbgrader"]["points"]}' in text_path(master).read_text()

    pair = text_path(master)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "points"], cwd=course.root,
                   check=True)
    pair.write_text(pair.read_text().replace("# %% [markdown]", "# %% [markdown]\n# A text edit.", 1))
    done = _cli(course, "sync", "--from-notebooks", assignment)
    assert done.returncode == 1 and "dgmcourse sync`" in done.stderr, done.stderr
    assert "A text edit." in pair.read_text(), "the text form's edit was thrown away"


def test_edit_sync_edit_sync_is_not_refused(repo_course, tmp_path):
    """Synced notebooks are not "edited": a second text edit after a sync goes through."""
    course = _git_course(repo_course, tmp_path)
    assignment = MASTERS[0].parent.name
    pair = text_path(course.master_notebooks(assignment)[0])
    for n in (1, 2):
        pair.write_text(pair.read_text().replace("# %% [markdown]", f"# %% [markdown]\n# Edit {n}.", 1))
        done = _cli(course, "sync", assignment)
        assert done.returncode == 0, done.stderr
    assert "Edit 2." in nb.source(nb.load(course.master_notebooks(assignment)[0])["cells"][0])


def test_inserting_a_cell_changes_no_other_cells_id_and_a_second_round_trip_writes_nothing(tmp_path):
    from dgmcourse.instructor.text_form import sync

    master = tmp_path / MASTERS[0].name
    master.write_bytes(MASTERS[0].read_bytes())
    text_path(master).write_bytes(text_path(MASTERS[0]).read_bytes())
    assert sync([master], from_notebooks=True) == [], "a round trip of a synced master rewrote it"
    before = [c["id"] for c in nb.load(master)["cells"]]
    text = text_path(master).read_text()
    text_path(master).write_text(text.replace("# %% [markdown]", "# %% [markdown]\n# Inserted.\n\n# %% [markdown]", 1))
    sync([master])
    after = [c["id"] for c in nb.load(master)["cells"]]
    assert len(after) == len(before) + 1 and set(before) <= set(after), "ids of untouched cells changed"


def test_release_refuses_files_beside_the_masters_that_would_reach_students(repo_course, tmp_path):
    course = copy_course(repo_course, tmp_path / "course", with_release=False)
    assignment = MASTERS[0].parent.name
    master = course.master_notebooks(assignment)[0]
    backup = master.parent / (text_path(master).name + ".orig")
    backup.write_text(text_path(master).read_text())  # a merge tool's copy: solutions and hidden tests
    done = _cli(course, "release", assignment)
    assert done.returncode != 0 and backup.name in done.stderr, done.stderr
    assert not list((course.release_dir / assignment).glob("*.orig")), "the backup was left in release/"
