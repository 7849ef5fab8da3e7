"""Project files agree with each other: pins, the conda environment, the README's commands."""
from __future__ import annotations

import tomllib

import yaml

from conftest import REPO


def _dependencies() -> list[str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]


def test_torch_is_pinned_everywhere():
    assert "torch==2.13.0" in _dependencies()
    assert 'TORCH = "torch==2.13.0"' in (REPO / "quickstart.py").read_text()


def test_conda_environment_installs_a_copy_of_this_package_and_its_kernel():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python="))
    low, high = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"].split(",")
    assert low == ">=3.11" and high == "<3.14" and python.split("=")[1] in ("3.11", "3.12", "3.13")
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "torch==2.13.0" in pip, "the hub installs the same torch pin"
    assert "." in pip and not any(line.replace(" ", "").startswith("-e") for line in pip), \
        "the hub installs a copy of the course, never an editable one that changes mid-term"
    text = (REPO / "environment.yml").read_text()
    assert "ipykernel install" in text and "--name dgmcourse" in text and "CUDA 13" in text


def test_every_notebook_names_the_course_kernel():
    import json

    for path in sorted((REPO / "source").glob("*/*.ipynb")) + sorted((REPO / "release").glob("*/*.ipynb")):
        spec = json.loads(path.read_text())["metadata"]["kernelspec"]
        assert spec["name"] == "dgmcourse", f"{path.relative_to(REPO)} asks for kernel {spec['name']!r}"


def test_readme_quick_start_is_two_commands():
    readme = (REPO / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip() and not line.startswith("#")]
    assert commands == ["python3 quickstart.py demo", "python3 quickstart.py test"]


def test_student_data_and_grading_output_are_git_ignored():
    """The README's "commit the course" step must never pick up a student's work or a grade."""
    import subprocess

    private = ["gradebook.db", "gradebook-backups/gradebook-20261129-120000.db", "submitted/bob/01/a.ipynb",
               "submitted/bob/01/timestamp.txt", "autograded/bob/01/a.ipynb", "feedback/bob/01/a.html",
               "reports/grades.csv", "reports/grades_by_cell.csv", "reports/runs/grades-20261129-120000.csv",
               "downloaded/01/extracted/bob.ipynb", "export.csv", "grades.csv"]
    public = ["release/01_space_worms_wasserstein/01_space_worms_wasserstein.ipynb", "source/x/x.ipynb",
              "nbgrader_config.py"]
    done = subprocess.run(["git", "check-ignore", "--no-index", *private, *public], cwd=REPO, capture_output=True,
                          text=True)
    ignored = set(done.stdout.split())
    assert ignored >= set(private), f"not git-ignored: {sorted(set(private) - ignored)}"
    assert not ignored & set(public), f"ignored but part of the course: {sorted(ignored & set(public))}"


def test_the_readmes_deployment_commands_are_the_cli_s():
    """Every `dgmcourse ...` line of "Grading past one machine" parses with the real command's parser."""
    import shlex

    from dgmcourse.cli import parser

    readme = (REPO / "README.md").read_text()
    section = readme.split("## Grading past one machine", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for block in section.split("```")[1::2] for line in block.splitlines()
                if line.strip().startswith("dgmcourse ")]
    # Inline ones too, but not a bare `dgmcourse grade` named in a sentence.
    commands += [text for text in section.split("`")[1::2] if text.startswith("dgmcourse ") and len(text.split()) > 2]
    assert len(commands) >= 4, commands
    for command in commands:
        words = [w for w in shlex.split(command.replace("<that address>", "tcp://HOST:8786"))[1:] if w != "..."]
        try:
            parser().parse_args(words)
        except SystemExit:
            raise AssertionError(f"the README's `{command}` is not a valid dgmcourse command") from None
    assert "--scheduler" in section and "--db-url" in section and "--regrade" in readme
