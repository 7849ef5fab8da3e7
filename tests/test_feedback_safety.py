"""Feedback shows no hidden-test text in any output, and nothing in it can run or load anything."""
from __future__ import annotations

import html
import re

import nbformat

from conftest import make_cell, make_notebook
from dgmcourse.instructor.html_safety import clean_fragment, make_page_safe
from dgmcourse.instructor.preprocessors import HiddenTestsInOutputs, SafeOutputs

HIDDEN_LINE = 'check_close(w1(p, q), 0.4247, "W1 at the second basin")'
TEST_SOURCE = f"""check_close(w1(a, b), 0.1, "visible")
### BEGIN HIDDEN TESTS
{HIDDEN_LINE}
### END HIDDEN TESTS"""


def _graded(outputs_of_test: list, outputs_of_later: list):
    test = make_cell("code", TEST_SOURCE, grade_id="w1__tests", role="test", points=2)
    test["outputs"] = outputs_of_test
    later = make_cell("code", "print(stolen)")
    later["outputs"] = outputs_of_later
    return nbformat.from_dict(make_notebook([test, later]))


def _stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def test_every_form_of_a_hidden_line_is_redacted_in_every_cell():
    notebook = _graded(
        [_stream(TEST_SOURCE + "\n"),
         {"output_type": "error", "ename": "CheckFailed", "evalue": "W1 at the second basin: expected 0.4247, got 0.5",
          "traceback": [f"\x1b[0;32m----> 3\x1b[0m {HIDDEN_LINE}",
                        "CheckFailed: W1 at the second basin: expected 0.4247"]}],
        [_stream(repr(TEST_SOURCE.splitlines(keepends=True))),
         {"output_type": "display_data", "metadata": {},
          "data": {"text/html": "<pre>" + html.escape(HIDDEN_LINE) + "</pre>", "text/plain": "<HTML>"}},
         {"output_type": "execute_result", "execution_count": 1, "metadata": {},
          "data": {"text/plain": repr(HIDDEN_LINE.replace('"', "'"))}}])
    redacted, _ = HiddenTestsInOutputs().preprocess(notebook, {})
    text = str(redacted.cells[0].outputs) + str(redacted.cells[1].outputs)
    assert "0.4247, \"W1" not in text and "w1(p, q)" not in text, text
    error = redacted.cells[0].outputs[1]
    assert error.evalue == "W1 at the second basin: expected 0.4247, got 0.5", "the check's message is kept"
    assert "visible" in redacted.cells[0].outputs[0].text, "visible lines are not secret"


PAGE = """<html><head><script src="https://cdn.example/mathjax.js"></script>
<link rel="stylesheet" href="http://example.invalid/x.css"><style>body {background: url(http://example.invalid/b)}
@import "http://example.invalid/y.css";</style></head>
<body><div onclick="alert(1)" class="cell">ok <a href="javascript:alert(2)">x</a> <a href="#cell-3">up</a>
<img src="http://example.invalid/beacon.png"><img src="data:image/png;base64,iVBORw0KGgo=" alt="plot">
<iframe src="//example.invalid"></iframe><svg><a xlink:href="javascript:alert(3)">y</a></svg>
<form action="http://example.invalid"><input name="q"></form></body></html>"""


def test_a_page_keeps_its_content_and_loses_everything_that_runs_or_loads():
    safe = make_page_safe(PAGE)
    for bad in ("<script", "<link", "<iframe", "<form", "<input", "onclick", "javascript:", "example.invalid",
                "@import", "cdn.example"):
        assert bad not in safe, f"{bad!r} is still in the page:\n{safe}"
    assert 'href="#cell-3"' in safe and "data:image/png;base64,iVBORw0KGgo=" in safe and "ok" in safe


def test_html_outputs_keep_tables_and_text_only():
    fragment = clean_fragment('<table class="dataframe"><tr><td onmouseover="x()">1</td></tr></table>'
                              '<script>alert(1)</script><b>bold</b><img src="/formgrader/api/x">')
    assert "<table" in fragment and "<b>bold</b>" in fragment
    assert not re.search(r"<script|onmouseover|/formgrader", fragment), fragment


def test_outputs_of_types_a_browser_would_run_become_a_note():
    cell = make_cell("code", "display(...)")
    cell["outputs"] = [{"output_type": "display_data", "metadata": {"image/png": {"width": '1" onload="x()'}},
                        "data": {"application/javascript": "alert(1)", "image/svg+xml": "<svg onload='x()'/>"}},
                       {"output_type": "display_data", "metadata": {},
                        "data": {"image/png": 'AAAA" onerror="alert(1)', "text/plain": "<image>"}}]
    cell["metadata"]["tags"] = ['x" onmouseover="alert(2)']
    notebook = nbformat.from_dict(make_notebook([cell]))
    notebook.metadata["widgets"] = {"state": "</script><script>alert(3)</script>"}
    safe, _ = SafeOutputs().preprocess(notebook, {})
    first, second = safe.cells[0].outputs
    assert list(first.data) == ["text/plain"] and "not shown" in first.data["text/plain"]
    assert first.metadata == {} and "image/png" not in second.data
    assert "tags" not in safe.cells[0].metadata and "widgets" not in safe.metadata
