"""Test cells leave the student's names as they found them, in the student's own kernel too.

During grading ``kernel_guard`` runs each test cell in a namespace of its own, so a test
that bound ``_t`` at module level could not reach the student's ``_t`` there. The student's
own kernel has no such guard: the visible checks run there as the student works, and the
whole master runs there when an instructor checks it. So the masters' test cells are run
here as plain cells, hidden tests included, after the alias variant (every name any test
cell uses, bound by the student and checked inside every graded function): a test cell
that rebinds one makes the next graded function raise.
"""
from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from dgmcourse.instructor import grading, submissions, variants
from dgmcourse.instructor import notebooks as nb

from conftest import REPO
from make_alias_variants import VARIANT, names_the_tests_use

ASSIGNMENTS = sorted(p.parent.name for p in (REPO / "tests" / "variants").glob(f"*/{VARIANT}"))


def test_every_assignment_has_an_alias_variant_that_binds_every_test_name(repo_course):
    assert sorted(repo_course.assignments()) == ASSIGNMENTS
    for assignment in ASSIGNMENTS:
        master = nb.load(repo_course.master_notebooks(assignment)[0])
        text = (REPO / "tests" / "variants" / assignment / VARIANT).read_text()
        missing = [name for name in names_the_tests_use(master) if f" as {name}\n" not in text]
        assert not missing, (f"{assignment}: the tests use {missing}, which {VARIANT} does not bind; "
                             "run .venv/bin/python tests/make_alias_variants.py")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_master_with_aliased_names_runs_clean_in_a_plain_kernel(repo_course, assignment, tmp_path, monkeypatch):
    master_path = repo_course.master_notebooks(assignment)[0]
    variant = variants.parse(REPO / "tests" / "variants" / assignment / VARIANT)
    notebook = nbformat.reads(json.dumps(submissions.fill(nb.load(master_path), variant.cells)), as_version=4)
    for key, value in grading.run_settings(grading.GradingOptions(seed=0, kernel_threads=1)).items():
        monkeypatch.setenv(key, value)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{assignment}: the master's cells failed after the student's aliases:\n{error}"[:4000])
