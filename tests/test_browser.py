"""What a student and an instructor see in a real JupyterLab, driven with Chromium through Playwright.

The set-up is the hub's: a throwaway course directory, the site-wide nbgrader config the README
documents (course id, exchange root, ``path_includes_course``) in a folder that plays
/etc/jupyter (``JUPYTER_CONFIG_PATH``), assignment 01 released to the exchange, and a graded
submission with a wrong answer, so that the course has feedback. Then, in the browser:

- the student version runs with a wrong answer: the check shows ``CheckFailed`` and its message,
  without the checker's frames;
- the Assignments tab (nbgrader's assignment list) lists the released assignment, no exchange error;
- the formgrader lists the course's assignments with the site-wide exchange, no exchange error;
- the feedback page, opened in JupyterLab, shows its formulas as rendered MathML, no raw TeX.

Screenshots land in reports/browser/. Needs Chromium at /usr/bin/chromium and the ``playwright``
package (``pip install -e '.[test]'``); the tests skip without them.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_support import (CHROMIUM, COURSE_ID, JupyterLab, error_phrases_in, hub_env, shorten,
                             write_site_config)
from conftest import REPO

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need the playwright package (pip install -e '.[test]')")
PlaywrightTimeout = sync_api.TimeoutError

from dgmcourse.instructor import grading, submissions  # noqa: E402
from dgmcourse.instructor import notebooks as nb  # noqa: E402
from dgmcourse.instructor import variants  # noqa: E402
from dgmcourse.instructor.course import Course, copy_course  # noqa: E402

ASSIGNMENT = "01_space_worms_wasserstein"
NOTEBOOK = "space_worms_wasserstein.ipynb"
# A plausible wrong answer for the first task: the probabilities passed to scipy as sample values.
WRONG_VARIANT = REPO / "tests" / "variants" / ASSIGNMENT / "lose_w1_scipy_samples.py"
SCREENSHOTS = REPO / "reports" / "browser"
TIMEOUT_MS = 90_000  # generous: a cold JupyterLab on a loaded 2-core runner


@dataclass
class Hub:
    course: Course
    exchange: Path
    lab: JupyterLab
    wrong_code: str
    solution_id: str


def _code_without_header(text: str) -> str:
    """A variant file's code, without its leading comment header (the part a student would type)."""
    lines = text.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def _run(command: list[str], cwd: Path, env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, (f"{what} failed with code {result.returncode}:\n"
                                    f"{shorten(result.stdout + result.stderr)}")


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Hub:
    base = tmp_path_factory.mktemp("hub")
    course = copy_course(Course(REPO), base / "course")
    site = base / "etc-jupyter"
    exchange = base / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    write_site_config(site, exchange)
    env = hub_env(site, base / "jupyter-user")

    # 1. The instructor releases the assignment: student version, gradebook, then the exchange.
    _run([sys.executable, "-m", "dgmcourse.cli", "--course", str(course.root), "release", ASSIGNMENT],
         course.root, dict(env, MPLBACKEND="Agg"), "dgmcourse release")
    _run([sys.executable, "-m", "nbgrader", "release_assignment", ASSIGNMENT], course.root, env,
         "nbgrader release_assignment")
    outbound = exchange / COURSE_ID / "outbound" / ASSIGNMENT / NOTEBOOK
    assert outbound.is_file(), f"nbgrader release_assignment did not put {outbound} into the exchange"

    # 2. A partly wrong submission, graded by the course's grader: feedback with formulas.
    variant = variants.parse(WRONG_VARIANT)
    wrong_code = _code_without_header(variant.code)
    notebooks = submissions.build(course, ASSIGNMENT, {variant.replaces: wrong_code})
    submissions.write(course.root / "submitted", "bob", ASSIGNMENT, notebooks)
    result = grading.grade_submission(course, course.root / "submitted", "bob", ASSIGNMENT)
    assert result.status == grading.GRADED and 0 < result.score < result.max_score, (
        f"expected the wrong submission graded with part of the points; got {result.status}, "
        f"{result.score} of {result.max_score}: {result.reason}")

    # 3. JupyterLab as the hub runs it for the user, with the site-wide config.
    lab = JupyterLab(course.root, env, base / "jupyter-lab.log")
    lab.start()
    try:
        yield Hub(course, exchange, lab, wrong_code, variant.replaces)
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path))
    return path


def _wait(locator, what: str, page, hub: Hub, screenshot: str, shown=None) -> None:
    """Wait for ``locator``; on timeout fail naming ``what`` and what the page showed instead."""
    try:
        locator.first.wait_for(state="visible", timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        _screenshot(page, screenshot)
        try:
            text = (shown or page.locator("body")).inner_text(timeout=5_000)
        except PlaywrightTimeout:
            text = "(could not read the page)"
        pytest.fail(f"expected {what} within {TIMEOUT_MS // 1000} s; the page showed:\n{shorten(text)}\n"
                    f"--- jupyter lab log ---\n{hub.lab.log_tail()}")


def _open_lab(page, hub: Hub, path: str = "/lab") -> None:
    """JupyterLab at ``path``, with a fresh layout (``reset``: nothing restored from an earlier test)."""
    page.goto(hub.lab.url(path + "?reset"))
    _wait(page.locator("#jp-top-panel .lm-MenuBar-item"), "JupyterLab's menu bar", page, hub,
          "lab-did-not-load.png")


def _menu_command(page, hub: Hub, menu_label: str, command: str, screenshot: str) -> None:
    """Menu bar → ``menu_label`` → the entry that runs ``command``.

    Extensions register their commands while JupyterLab starts; until then a menu shows their
    entries hidden and disabled, so the menu is reopened until the entry is there and enabled.
    """
    menu = page.locator("#jp-top-panel .lm-MenuBar-item", has_text=re.compile(rf"^\s*{menu_label}\s*$"))
    _wait(menu, f"a {menu_label!r} menu in JupyterLab's menu bar", page, hub, screenshot)
    entry = page.locator(f".lm-Menu-item[data-command='{command}']:not(.lm-mod-hidden):not(.lm-mod-disabled)")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        menu.first.click()
        try:
            entry.first.wait_for(state="visible", timeout=2_000)
            entry.first.click()
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            if time.monotonic() > deadline:
                _screenshot(page, screenshot)
                shown = page.locator(".lm-Menu-item").evaluate_all(
                    "items => items.map(i => `${i.dataset.command} (${i.className})`)")
                pytest.fail(f"expected an enabled entry {command!r} in the {menu_label} menu within "
                            f"{TIMEOUT_MS // 1000} s; the menu held: {shown}\n"
                            f"--- jupyter lab log ---\n{hub.lab.log_tail()}")


def test_student_sees_the_check_message_without_the_checkers_frames(hub, page):
    released = nb.load(hub.course.release_dir / ASSIGNMENT / NOTEBOOK)
    cells = released["cells"]
    solution_index = next(i for i, cell in enumerate(cells) if nb.grade_id(cell) == hub.solution_id)
    test_index = next(i for i, cell in enumerate(cells) if i > solution_index
                      and cell.get("metadata", {}).get("nbgrader", {}).get("grade"))
    test_id = nb.grade_id(cells[test_index])

    _open_lab(page, hub, f"/lab/tree/release/{ASSIGNMENT}/{NOTEBOOK}")
    dom_cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    try:
        page.wait_for_function("n => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')"
                               ".length >= n", arg=len(cells), timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        _screenshot(page, "student-check-failed.png")
        pytest.fail(f"expected the student notebook's {len(cells)} cells in JupyterLab, found {dom_cells.count()}; "
                    f"--- jupyter lab log ---\n{hub.lab.log_tail()}")
    _wait(page.locator(".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status='idle']"),
          "the notebook's kernel (dgmcourse) to start and become idle", page, hub, "student-check-failed.png",
          shown=page.locator(".jp-NotebookPanel-toolbar"))

    solution = dom_cells.nth(solution_index)
    stub = solution.locator(".cm-content").inner_text()
    assert "# YOUR CODE HERE" in stub, (f"expected cell {solution_index} ({hub.solution_id}) of the student "
                                        f"version to hold the '# YOUR CODE HERE' stub; it shows:\n{stub}")
    solution.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(hub.wrong_code)
    page.keyboard.press("Escape")
    typed = solution.locator(".cm-content").inner_text()
    assert "YOUR CODE HERE" not in typed and "def wasserstein_distance_for_pdf" in typed, (
        f"expected the wrong answer in cell {hub.solution_id} after typing it; the editor shows:\n{typed}")

    _menu_command(page, hub, "Run", "runmenu:run-all", "student-check-failed.png")

    test_cell = dom_cells.nth(test_index)
    error = test_cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    output = test_cell.locator(".jp-OutputArea")
    _wait(error.filter(has_text="CheckFailed"), f"an error output with CheckFailed under the test cell "
          f"{test_id} after Run All", page, hub, "student-check-failed.png", shown=test_cell)
    test_cell.scroll_into_view_if_needed()
    _screenshot(page, "student-check-failed.png")

    text = output.inner_text()
    assert "CheckFailed" in text, f"expected CheckFailed in the output of {test_id}; it shows:\n{text}"
    assert re.search(r"expected \S+, got \S+", text), (
        f"expected the check's message ('expected ..., got ...') in the output of {test_id}; it shows:\n{text}")
    leaked = [s for s in ("checks.py", "_fail(", "Traceback (most recent call last)", "---->", 'File "')
              if s in text]
    assert not leaked, (f"expected the check's message alone in the output of {test_id}, without the "
                        f"checker's frames; found {leaked} in:\n{text}")
    solution_errors = solution.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert solution_errors.count() == 0, (f"expected the wrong answer's cell {hub.solution_id} to run without "
                                          f"an error; it shows:\n{solution.locator('.jp-OutputArea').inner_text()}")


def test_assignments_tab_lists_the_released_assignment(hub, page):
    _open_lab(page, hub)
    _menu_command(page, hub, "Nbgrader", "nbgrader:open-assignment-list", "assignments-tab.png")
    panel = page.locator("#nbgrader-assignment-list")
    released = panel.locator("#released_assignments_list")
    _wait(released.get_by_text(ASSIGNMENT, exact=True), f"{ASSIGNMENT} under 'Released assignments' in the "
          "Assignments tab", page, hub, "assignments-tab.png", shown=panel)
    # The other sections load on their own; wait until none is still loading.
    for section in ("#fetched_assignments_list", "#submitted_assignments_list"):
        try:
            page.wait_for_function("sel => { const e = document.querySelector(sel); return !e || "
                                   "!e.querySelector('.fa-spinner, .fa-spin'); }", arg=section, timeout=30_000)
        except PlaywrightTimeout:
            pass
    _screenshot(page, "assignments-tab.png")

    text = panel.inner_text()
    found = error_phrases_in(text)
    assert not found, f"expected no error in the Assignments tab; found {found} in:\n{shorten(text)}"
    assert COURSE_ID in text, f"expected the course {COURSE_ID} in the Assignments tab; it shows:\n{shorten(text)}"
    row = released.locator(".list_item", has_text=ASSIGNMENT)
    assert row.locator("button", has_text="Fetch").count() == 1, (
        f"expected a Fetch button for {ASSIGNMENT}; the row shows:\n{row.first.inner_text()}")


def test_formgrader_lists_the_course_assignments_with_the_site_exchange(hub, page):
    _open_lab(page, hub)
    _menu_command(page, hub, "Nbgrader", "nbgrader:open-formgrader", "formgrader.png")
    frame_element = page.locator("#formgrader-iframe iframe")
    _wait(frame_element, "the formgrader's frame", page, hub, "formgrader.png")
    formgrader = page.frame_locator("#formgrader-iframe iframe")
    body = formgrader.locator("body")
    row = formgrader.locator("tr", has_text=ASSIGNMENT)
    _wait(row, f"a row for {ASSIGNMENT} in the formgrader's Manage Assignments table", page, hub,
          "formgrader.png", shown=body)
    for assignment in hub.course.assignments():
        _wait(formgrader.locator("tr", has_text=assignment), f"a row for {assignment} in the formgrader",
              page, hub, "formgrader.png", shown=body)
    _screenshot(page, "formgrader.png")

    text = body.inner_text()
    found = error_phrases_in(text)
    assert not found, f"expected no error in the formgrader; found {found} in:\n{shorten(text)}"
    status = row.first.inner_text()
    assert "released" in status, f"expected {ASSIGNMENT} to show as released; its row shows:\n{status}"
    # The configuration the formgrader reports (collapsed on the page) is the hub's site-wide one.
    config = formgrader.get_by_text("'Exchange':", exact=False).first.text_content()
    assert str(hub.exchange) in config and COURSE_ID in config, (
        f"expected the formgrader's configuration to carry Exchange.root={hub.exchange} and course id "
        f"{COURSE_ID} from JUPYTER_CONFIG_PATH; it shows:\n{shorten(config)}")


# The visible text of each rendered markdown cell, without code spans and blocks (program text, where a
# "$" is not math) and without the text inside <math> (already rendered).
VISIBLE_PROSE = """() => Array.from(document.querySelectorAll('.text_cell_render')).map(cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const parts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (parent.closest('code, pre, kbd, samp, math, script, style')) continue;
        if (parent.getClientRects().length === 0) continue;  // not rendered
        parts.push(node.textContent);
    }
    return parts.join('');
})"""
TEX = re.compile(r"\$[^$\n]+\$|\\[A-Za-z]{2,}")  # $...$, or a TeX command such as \varepsilon


def test_feedback_page_shows_formulas_as_mathml(hub, page):
    pages = sorted((hub.course.feedback_dir / "bob" / ASSIGNMENT).glob("*.html"))
    assert pages, f"expected a feedback page in {hub.course.feedback_dir / 'bob' / ASSIGNMENT}"
    html = pages[0].read_text()
    assert "<math" in html and "mathjax" not in html.lower(), "the feedback page carries MathML, not MathJax"

    _open_lab(page, hub, f"/lab/tree/feedback/bob/{ASSIGNMENT}/{pages[0].name}")
    viewer = page.locator(".jp-HTMLViewer iframe")
    _wait(viewer, f"JupyterLab's HTML viewer for {pages[0].name}", page, hub, "feedback-mathml.png")
    sandbox = viewer.get_attribute("sandbox") or ""
    assert "allow-scripts" not in sandbox, f"expected the feedback page untrusted (no scripts); sandbox={sandbox!r}"
    frame = viewer.element_handle().content_frame()
    feedback = page.frame_locator(".jp-HTMLViewer iframe")
    _wait(feedback.locator("math"), "MathML <math> elements in the feedback page", page, hub,
          "feedback-mathml.png", shown=feedback.locator("body"))

    sizes = frame.evaluate("""() => Array.from(document.querySelectorAll('math')).map(m => {
        const r = m.getBoundingClientRect();
        return {w: r.width, h: r.height, text: m.textContent.slice(0, 40)}; })""")
    flat = [s for s in sizes if s["w"] <= 0 or s["h"] <= 0]
    assert sizes and not flat, (f"expected every <math> element rendered with a size; {len(flat)} of "
                                f"{len(sizes)} have none, e.g. {flat[:5]}")
    block = feedback.locator("math[display='block']")
    (block if block.count() else feedback.locator("math")).first.scroll_into_view_if_needed()
    _screenshot(page, "feedback-mathml.png")

    texts = frame.evaluate(VISIBLE_PROSE)
    assert texts, "expected rendered markdown cells (.text_cell_render) in the feedback page"
    raw = [f"...{text[max(0, m.start() - 50):m.end() + 30]}..." for text in texts for m in TEX.finditer(text)]
    assert not raw, (f"expected no raw TeX in the feedback page's rendered text (formulas as MathML); "
                     f"found {len(raw)}:\n" + "\n".join(raw[:10]))
    assert frame.evaluate("() => typeof window.MathJax") == "undefined", "expected no MathJax in the feedback page"
    assert "CheckFailed" in feedback.locator("body").inner_text(), (
        "expected the failed check's message (CheckFailed) in the feedback page")


def test_feedback_page_names_the_mistake_under_the_failing_test(hub, page):
    """bob's wrong answer is a catalogued mistake: the page a student opens says which, in plain words."""
    pages = sorted((hub.course.feedback_dir / "bob" / ASSIGNMENT).glob("*.html"))
    _open_lab(page, hub, f"/lab/tree/feedback/bob/{ASSIGNMENT}/{pages[0].name}")
    viewer = page.locator(".jp-HTMLViewer iframe")
    _wait(viewer, f"JupyterLab's HTML viewer for {pages[0].name}", page, hub, "feedback-diagnosis.png")
    feedback = page.frame_locator(".jp-HTMLViewer iframe")
    named = feedback.locator(".dgm-diagnosis")
    _wait(named, "the named mistake (.dgm-diagnosis) in the feedback page", page, hub, "feedback-diagnosis.png",
          shown=feedback.locator("body"))
    named.first.scroll_into_view_if_needed()
    _screenshot(page, "feedback-diagnosis.png")
    text = named.first.inner_text()
    variant = variants.parse(WRONG_VARIANT)
    assert "wasserstein_distance_for_pdf" in text and "behaves like a known mistake" in text, text
    assert variant.tells.split(".")[0] in text, f"expected the variant's explanation; the page says {text!r}"
    assert named.first.is_visible()
