"""Make what student code displayed, and what students wrote in markdown, inert.

Runs after execution (so graded notebooks, which the formgrader renders, are safe) and
again in feedback generation. Outputs keep plain text, PNG/JPEG images with valid base64,
LaTeX and HTML passed through an allowlist (``html_safety.clean_fragment``); JavaScript,
SVG (which can hold scripts), widgets and every other type are replaced by a note.
Markdown with raw HTML, raw cells meant for HTML, and metadata that templates insert into
the page unescaped (cell tags, widget state, image sizes) are cleaned the same way.
"""
from __future__ import annotations

import html
import re

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode

from nbgrader.preprocessors import NbGraderPreprocessor

from dgmcourse.instructor.html_safety import clean_fragment, is_base64

KEPT_IMAGES = ("image/png", "image/jpeg")
RAW_HTML = re.compile(r"<[A-Za-z!/?]")
SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info", "nbgrader", "dgmcourse")


def _rendered_markdown(source: str) -> str | None:
    """The HTML nbconvert makes of a markdown cell (the renderer the formgrader and feedback use),
    with the cell's own attachments as links inside the page; None when it cannot render it."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    try:
        return markdown2html_mistune(source.replace("attachment:", "#attachment-"))
    except Exception:  # a student's markdown; whatever it is, it becomes escaped text
        return None


def _leaves_the_page(html: str) -> bool:
    """Whether rendered markdown links or loads anything but a fragment of the page or inline data."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    images = [img.get("src", "") for img in soup.find_all("img")]
    links = [a.get("href", "") for a in soup.find_all("a")]
    return any(not (src.startswith("data:image/") or src.startswith("#")) for src in images) or \
        any(not href.startswith("#") for href in links)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


class SafeOutputs(NbGraderPreprocessor):

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        for key in list(nb.metadata):
            if key not in KEPT_NOTEBOOK_METADATA:
                del nb.metadata[key]  # widget state, for one, goes into a <script> unescaped
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict,
                        cell_index: int) -> tuple[NotebookNode, ResourcesDict]:
        self._clean_metadata(cell)
        if cell.cell_type == "markdown":
            for name, bundle in list(cell.get("attachments", {}).items()):
                if not all(m in KEPT_IMAGES and is_base64(_text(d)) for m, d in bundle.items()):
                    del cell.attachments[name]
                    # nbconvert fails on a reference to a missing attachment; point it nowhere instead
                    cell.source = _text(cell.source).replace(f"attachment:{name}", "#")
            source = _text(cell.source)
            if RAW_HTML.search(source):
                cell.source = clean_fragment(source)
            elif "](" in source or "]:" in source:
                # Markdown's own image and link syntax: rendered, a remote image is a beacon and a
                # relative one a request in the reader's session (the formgrader's page included).
                rendered = _rendered_markdown(source)
                if rendered is None or _leaves_the_page(rendered):
                    cell.source = clean_fragment(rendered if rendered is not None else html.escape(source))
        elif cell.cell_type == "raw":
            cell.metadata.pop("format", None)  # a raw cell "for HTML" would be pasted into the page as is
            cell.metadata.pop("raw_mimetype", None)
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") in ("execute_result", "display_data", "update_display_data"):
                    self._clean_bundle(output)
        return cell, resources

    @staticmethod
    def _clean_metadata(cell: NotebookNode) -> None:
        kept = {}
        grading = cell.metadata.get("nbgrader")
        if isinstance(grading, dict) and SAFE_ID.match(str(grading.get("grade_id", "x"))):
            kept["nbgrader"] = grading
        for key in ("deletable", "editable", "trusted"):
            if isinstance(cell.metadata.get(key), bool):
                kept[key] = cell.metadata[key]
        cell.metadata = NotebookNode(kept)

    @staticmethod
    def _clean_bundle(output: NotebookNode) -> None:
        data, kept, dropped = output.get("data", {}), {}, []
        for mimetype, value in data.items():
            if mimetype in ("text/plain", "text/latex"):
                kept[mimetype] = _text(value)
            elif mimetype in KEPT_IMAGES and is_base64(_text(value)):
                kept[mimetype] = _text(value)
            elif mimetype == "text/html":
                kept[mimetype] = clean_fragment(_text(value))
            else:
                dropped.append(mimetype)
        if dropped and "text/plain" not in kept:
            kept["text/plain"] = f"[output of type {', '.join(dropped)} not shown: only text, images and HTML are]"
        output["data"] = kept
        output["metadata"] = {}  # image sizes and the like are pasted into attributes unescaped
