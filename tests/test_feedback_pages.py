"""Feedback a student can read offline: formulas as MathML, task names, messages without internals."""
from __future__ import annotations

from dgmcourse.instructor import grading, submissions
from dgmcourse.instructor import notebooks as nb
from dgmcourse.instructor.course import CONFIG_FILE, Course
from dgmcourse.instructor.feedback_math import count_raw_tex, render_math
from dgmcourse.instructor.html_safety import make_page_safe
from dgmcourse.instructor.release import release

from conftest import REPO, make_cell, make_notebook


def _page(markdown_html: str) -> str:
    return f'<html><body><div class="text_cell_render">{markdown_html}</div><pre>cost: $5 and $k$</pre></body></html>'


def test_formulas_in_rendered_markdown_become_mathml_and_code_is_left_alone():
    page = render_math(_page("<p>The distance $W_1$ and $$\\frac{\\partial W_1}{\\partial p}$$, "
                             "costs \\$3 and \\$4, and <code>$not_math$</code>.</p>"))
    assert page.count("<math") == 2 and 'display="block"' in page
    assert "<pre>cost: $5 and $k$</pre>" in page, "a program's output is never math"
    assert "<code>$not_math$</code>" in page and "\\$3" in page
    assert count_raw_tex(page) == 0


def test_tex_that_tries_to_inject_markup_stays_text_and_links_are_dropped():
    from bs4 import BeautifulSoup

    page = make_page_safe(render_math(_page("<p>$\\text{&lt;img src=x onerror=alert(1)&gt;}$ and "
                                            "$x &lt; y$ and $\\href{https://example.org}{a}$</p>")))
    soup = BeautifulSoup(page, "html.parser")
    assert page.count("<math") == 2, "the formula that carries markup stays TeX, shown as text"
    assert "$\\text{&lt;img" in page
    assert not soup.find_all("img") and not any(k.startswith("on") for e in soup.find_all(True) for k in e.attrs)
    assert "example.org" not in page


def test_inline_math_may_end_in_a_space_when_it_is_tex_but_money_is_not_math():
    page = render_math(_page("<p>clamp with $\\varepsilon = $ <code>EPS</code> $= 10^{-3}$; "
                             "it costs $5 and $6.</p>"))
    assert page.count("<math") == 2 and "$5 and $6" in page
    assert count_raw_tex(page) == 0


def test_a_formula_latex2mathml_cannot_read_is_left_as_it_was():
    page = render_math(_page("<p>$\\frac{1}{$ and $x$</p>"))
    assert "<math" in page and "\\frac{1}{" in page


def _course_with_a_task_heading(root) -> Course:
    master = make_notebook([
        make_cell("markdown", "# Toy\n\n## 1. Task: the sum $a + b$ (2 points)\nWrite `add`."),
        make_cell("code", "from dgmcourse.student.checks import check_close", grade_id="setup", role="locked"),
        make_cell("code", "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION",
                  grade_id="add__solution", role="solution"),
        make_cell("code", 'check_close(add(1, 2), 3, "add(1, 2)", hint="return the sum of both arguments, '
                          'a plus b, as a Python number; this hint is long enough to need wrapping on a page")\n'
                          "### BEGIN HIDDEN TESTS\n"
                          'check_close(add(-7, 7), 0, "add(-7, 7)")\n'
                          "### END HIDDEN TESTS", grade_id="add__tests", role="test", points=2),
    ])
    root.mkdir(parents=True)
    (root / CONFIG_FILE).write_text((REPO / CONFIG_FILE).read_text())
    nb.save(master, root / "source" / "toy" / "toy.ipynb")
    course = Course(root.resolve())
    release(course, ["toy"])
    return course


def test_feedback_names_the_task_renders_math_and_shows_the_message_without_internals(tmp_path):
    course = _course_with_a_task_heading(tmp_path / "course")
    wrong = submissions.build(course, "toy", {"add__solution": "def add(a, b):\n    return a - b"})
    submissions.write(course.root / "submitted", "bob", "toy", wrong)
    result = grading.grade_submission(course, course.root / "submitted", "bob", "toy")
    assert result.status == grading.GRADED and result.score == 0, result
    page = (course.feedback_dir / "bob" / "toy" / "toy.html").read_text()
    assert "Test cell" not in page, "the summary names tasks, not 'Test cell'"
    assert page.count("1. Task: the sum") >= 2, "the summary row and the cell heading carry the task's title"
    assert "<math" in page and count_raw_tex(page) == 0, "formulas are MathML, not raw TeX"
    assert "mathjax" not in page.lower() and "<script" not in page.lower()
    assert "CheckFailed:" in page and "add(1, 2): expected 3, got -1" in page
    assert "checks.py" not in page and "_fail(" not in page, "the checker's own frames are not shown"
    assert "add(-7, 7)" not in page, "no hidden test text"
    assert "white-space: pre-wrap" in page, "long lines wrap"


def test_plain_nbgrader_generate_feedback_also_writes_mathml(tmp_path):
    """The formgrader's Generate Feedback button runs this; the course template converts the formulas."""
    import os
    import subprocess
    import sys

    course = _course_with_a_task_heading(tmp_path / "course")
    submissions.write(course.root / "submitted", "bob", "toy", submissions.build(course, "toy"))
    grading.grade_submission(course, course.root / "submitted", "bob", "toy", feedback=False)
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", "toy", "--force"],
                          cwd=course.root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    page = (course.feedback_dir / "bob" / "toy" / "toy.html").read_text()
    assert "<math" in page and count_raw_tex(page) == 0 and "1. Task: the sum" in page


def test_a_student_running_nbgrader_validate_reads_the_whole_message(tmp_path):
    """nbgrader validate cuts every line at 90 characters; a check's message is wrapped to fit."""
    import os
    import subprocess
    import sys

    course = _course_with_a_task_heading(tmp_path / "course")
    student = tmp_path / "student"  # the student's own folder: the course's config is not read there
    student.mkdir()
    wrong = submissions.build(course, "toy", {"add__solution": "def add(a, b):\n    return a - b"})["toy.ipynb"]
    nb.save(wrong, student / "toy.ipynb")
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", "toy.ipynb"], cwd=student, env=env,
                          capture_output=True, text=True, timeout=300)
    shown = " ".join(done.stdout.split())
    assert "VALIDATION FAILED" in shown and "refused" not in shown, done.stdout
    assert "add(1, 2): expected 3, got -1" in shown
    assert ("Hint: return the sum of both arguments, a plus b, as a Python number; this hint is long enough to "
            "need wrapping on a page") in shown, done.stdout
    assert "..." not in done.stdout.split("The error was:", 1)[1], "a line of the message was cut"


def _parsed_like_a_browser(page: str):
    from bleach._vendor import html5lib  # the HTML5 parsing algorithm browsers use

    return html5lib.parse(page, namespaceHTMLElements=False)


def test_tex_that_smuggles_markup_or_styles_never_reaches_the_page_and_headings_cannot_relabel(tmp_path):
    """A student's markdown: entity-encoded markup inside \\text{}, \\href, a full-page \\style overlay,
    and a heading of their own above the answer that claims another task."""
    course = _course_with_a_task_heading(tmp_path / "course")
    notebooks = submissions.build(course, "toy", {"add__solution": "def add(a, b):\n    return a - b"})
    cells = notebooks["toy.ipynb"]["cells"]
    payload = ("Some math &#92;(\\text{&lt;!--&gt;&lt;img/src=\"x\"/onerror=\"alert(1)\"&gt;&lt;script&gt;alert(2)"
               "&lt;/script&gt;--&gt;}&#92;) and &#36;\\href{javascript:alert(3)}{click}&#36; and "
               "&#36;\\style{position:fixed;top:0;left:0;width:100%;height:100%;background:white;z-index:9}"
               "{\\text{All tests passed: 3/3}}&#36; and \\class{x}{y}")
    answer = next(i for i, c in enumerate(cells) if nb.grade_id(c) == "add__solution")
    cells.insert(answer, make_cell("markdown", "## 7. Task: the bonus (9 points)\n\n" + payload))
    submissions.write(course.root / "submitted", "eve", "toy", notebooks)
    grading.grade_submission(course, course.root / "submitted", "eve", "toy")
    page = (course.feedback_dir / "eve" / "toy" / "toy.html").read_text()
    tree = _parsed_like_a_browser(page)
    assert not tree.findall(".//script") and not tree.findall(".//img"), "markup from TeX became live elements"
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"event handler {name}={value!r}"
            assert "javascript:" not in value.lower(), f"{name}={value!r}"
            assert not (name == "style" and "fixed" in value), "a formula laid a box over the page"
    assert "the bonus" not in page.split('<div id="toc">')[1].split("</div>")[0], \
        "a heading the student added relabelled the summary"
    assert page.count("1. Task: the sum") >= 3


def test_every_formula_search_is_bounded_so_no_cell_makes_feedback_slow():
    """An opening delimiter that is never closed looks MAX_TEX characters ahead, not to the end of
    the text (which made a 240 KB cell take minutes); a text node over MAX_TEXT is left as it is."""
    from dgmcourse.instructor.feedback_math import MAX_FORMULAS, MAX_TEX, MAX_TEXT, tex_to_mathml_filter

    too_long = "\\[" + "x" * (MAX_TEX + 10) + "\\]"
    assert "<math" not in tex_to_mathml_filter(f"<p>{too_long}</p>")
    assert "<math" in tex_to_mathml_filter("<p>\\[" + "x" * 50 + "\\]</p>")
    huge = "$x$ " * (MAX_TEXT // 4 + 10)
    assert "<math" not in tex_to_mathml_filter(f"<p>{huge}</p>")
    many = tex_to_mathml_filter("<p>" + "$x$ " * (MAX_FORMULAS + 50) + "</p>")
    assert many.count("<math") == MAX_FORMULAS


def test_student_markup_cannot_borrow_the_pages_classes_or_load_anything(tmp_path):
    """Bootstrap's modal classes laid a black overlay with a fake score over the page; markdown's own
    image syntax loaded a remote beacon and a relative URL in the reader's session."""
    import os
    import subprocess
    import sys

    course = _course_with_a_task_heading(tmp_path / "course")
    overlay = ('<div class="modal-backdrop in"></div><div class="modal show" style="display:block">'
               '<div class="modal-dialog"><h1>Feedback: 0 / 15</h1></div></div>')
    code = ("from IPython.display import HTML, display\n"
            f"display(HTML({overlay!r}))\n"
            "def add(a, b):\n    return a + b")
    notebooks = submissions.build(course, "toy", {"add__solution": code})
    cells = notebooks["toy.ipynb"]["cells"]
    cells.insert(1, make_cell("markdown", overlay))
    cells.insert(1, make_cell("markdown", "![b](https://evil.example/beacon.png) ![r](/hub/logout) "
                                          "[link](https://evil.example/phish) [ref][1]\n\n[1]: https://evil.example/r"))
    submissions.write(course.root / "submitted", "eve", "toy", notebooks)
    grading.grade_submission(course, course.root / "submitted", "eve", "toy")
    autograded = (course.autograded_dir / "eve" / "toy" / "toy.ipynb").read_text()  # what the formgrader renders
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", "toy", "--force"], cwd=course.root,
                   env=env, capture_output=True, timeout=300, check=True)
    plain_page = (course.feedback_dir / "eve" / "toy" / "toy.html").read_text()
    for where, text in (("graded notebook", autograded), ("plain generate_feedback page", plain_page)):
        assert "evil.example" not in text and "/hub/logout" not in text, f"a URL reached the {where}"
    tree = _parsed_like_a_browser(plain_page)
    borrowed = [e.attrib["class"] for e in tree.iter() if "modal" in e.attrib.get("class", "")]
    assert not borrowed, f"student markup kept the page's classes: {borrowed}"
