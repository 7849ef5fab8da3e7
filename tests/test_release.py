"""The committed student versions are fresh, valid, cleared and leak nothing."""
from __future__ import annotations

import pytest

from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import copy_course
from dgmcourse.instructor.leak_scan import find_leaks
from dgmcourse.instructor.metadata_checks import check_assignment
from dgmcourse.instructor.release import release

from conftest import REPO

ASSIGNMENTS = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
COMMITTED = sorted(REPO.glob("source/*/*.ipynb")) + sorted(REPO.glob("release/*/*.ipynb"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_master_metadata_is_valid(assignment):
    problems = check_assignment(REPO / "source" / assignment)
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: str(p.relative_to(REPO)))
def test_committed_notebooks_have_no_outputs(path):
    assert not nb.has_outputs(nb.load(path)), f"{path} has outputs; clear them before committing"


def test_release_is_fresh(repo_course, tmp_path):
    """Regenerating release/ from source/ reproduces the committed files exactly."""
    fresh = copy_course(repo_course, tmp_path / "course", with_release=False)
    release(fresh)
    committed = sorted(p.relative_to(REPO) for p in REPO.glob("release/*/*.ipynb"))
    regenerated = sorted(p.relative_to(fresh.root) for p in fresh.root.glob("release/*/*.ipynb"))
    assert committed == regenerated, "release/ holds a different set of notebooks; run `dgmcourse release`"
    for relative in committed:
        assert nb.load(REPO / relative) == nb.load(fresh.root / relative), (
            f"{relative} is stale against source/; run `dgmcourse release` and commit release/")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_or_hidden_test_line_reaches_students(assignment):
    masters = {p.name: p for p in (REPO / "source" / assignment).glob("*.ipynb")}
    released = sorted((REPO / "release" / assignment).glob("*.ipynb"))
    assert sorted(p.name for p in released) == sorted(masters), "every master needs its student version"
    for path in released:
        leaks = find_leaks(masters[path.name], path)
        assert not leaks, "\n".join(map(str, leaks))
