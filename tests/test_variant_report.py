"""The variant report counts by kind, names what did not score as declared, and finds thin coverage."""
from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

from dgmcourse.instructor import variant_report
from dgmcourse.instructor.grading import GradeResult, CellScore
from dgmcourse.instructor.variants import parse

from conftest import REPO


def _variant(tmp_path, name, header):
    path = tmp_path / f"{name}.py"
    path.write_text(header + "def f():\n    return 1\n")
    return parse(path)


def test_outcomes_and_table(tmp_path):
    wrong = _variant(tmp_path, "lose_a", "# kind: procedure\n# replaces: a__solution\n# loses: a__tests\n")
    lucky = _variant(tmp_path, "lose_b", "# replaces: b__solution\n# loses: b__tests\n")
    right = _variant(tmp_path, "full_a", "# kind: style\n# replaces: a__solution\n")
    points = {"a__tests": 2.0, "b__tests": 1.0}

    def result(name, scores):
        cells = [CellScore("x.ipynb", g, s, points[g]) for g, s in scores.items()]
        return GradeResult(name, "x", "graded", cells=cells)

    students = {
        "lose-00": SimpleNamespace(name="lose-00", batch=[wrong], expected={"a__tests": 0.0, "b__tests": 1.0}),
        "lose-01": SimpleNamespace(name="lose-01", batch=[lucky], expected={"a__tests": 2.0, "b__tests": 0.0}),
        "full-02": SimpleNamespace(name="full-02", batch=[right], expected=points),
    }
    results = {"lose-00": result("lose-00", {"a__tests": 0.0, "b__tests": 1.0}),
               "lose-01": result("lose-01", {"a__tests": 2.0, "b__tests": 1.0}),   # the wrong answer kept its point
               "full-02": result("full-02", points)}
    rows = variant_report.with_outcomes(variant_report.rows_for("x", [wrong, lucky, right]),
                                        SimpleNamespace(students=students, results=results))
    outcomes = {r.variant: r.outcome for r in rows}
    assert outcomes == {"lose_a": "as declared", "lose_b": "NOT as declared: b__tests scored 1.0",
                        "full_a": "as declared"}
    text = variant_report.table(rows)
    assert "x/lose_b: NOT as declared: b__tests scored 1.0" in text
    lines = {line.split()[-5] if line.startswith(" ") else line.split()[1]: line.split()[-4:] for line in
             text.splitlines()[1:4]}
    assert lines == {"outcome": ["1", "0", "0", "0"], "procedure": ["1", "1", "0", "0"], "style": ["0", "0", "1", "1"]}
    problems = variant_report.coverage_problems("x", rows, {"a", "b"})
    assert "x: task 'b' has 1 wrong and 0 correct variant(s); at least 2 and 1 are required" in problems
    assert "x: no variant of kind 'namespace'" in problems


def test_dgmcourse_variants_prints_the_counts_and_writes_the_csv(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dgmcourse.cli", "variants", "--csv", str(tmp_path / "v.csv")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "contract-freedom" in done.stdout and "namespace" in done.stdout
    rows = (tmp_path / "v.csv").read_text().splitlines()
    assert rows[0] == "assignment,variant,kind,must_lose,tasks,outcome"
    assert len(rows) - 1 == sum(1 for _ in (REPO / "tests" / "variants").glob("*/*.py"))
