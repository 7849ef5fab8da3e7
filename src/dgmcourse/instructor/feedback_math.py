"""Formulas in feedback pages as MathML, so they render with no network and no script.

nbconvert leaves ``$...$`` in the page for MathJax, which it loads from a CDN: offline,
and in JupyterLab's HTML viewer (which runs no scripts), students saw raw TeX. Here the
TeX of the lesson text and of the task headings is converted to MathML once, when the
feedback is written; browsers render MathML natively.

The course's feedback template applies ``tex_to_mathml_filter`` (registered as the Jinja
filter ``tex_to_mathml`` in ``nbgrader_config.py``) to each rendered markdown cell and
task label, so every way of writing feedback (``dgmcourse grade``, the formgrader's
button, ``nbgrader generate_feedback``) gets MathML. Only text outside code, ``<pre>``
and the like is converted: a ``$`` printed by a program is not math. A formula
``latex2mathml`` cannot read stays as it was. ``dgmcourse grade`` cleans the page
afterwards (``html_safety.make_page_safe``), which also drops any URL a formula carried.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString

# $$display$$, \[display\], \(inline\), $inline$ (not "$ 5", not "\$"; no newline in inline math).
# Each formula is at most MAX_TEX characters: an opening delimiter that is never closed costs a
# bounded look ahead, not a scan to the end of the text (quadratic on a long cell).
MAX_TEX = 1000
MATH = re.compile(r"(?<!\\)\$\$(?P<display>.{1,%d}?)(?<!\\)\$\$"
                  r"|\\\[(?P<display2>.{1,%d}?)\\\]"
                  r"|\\\((?P<inline2>.{1,%d}?)\\\)"
                  r"|(?<![\\$])\$(?!\s)(?P<inline>[^$\n]{1,%d}?)(?<!\\)\$(?!\$)" % ((MAX_TEX,) * 4), re.S)
# A page's worth of formulas at most; beyond it, text (and whole text nodes longer than
# MAX_TEXT) stays as TeX, so no cell can make writing feedback slow.
MAX_FORMULAS = 3000
MAX_TEXT = 200_000
# "$5 and $6" is money, "$\varepsilon = $" is math: inline math may end in a space only when it
# holds something only TeX writes.
TEX_ONLY = re.compile(r"[\\^_{}=]")


def _is_formula(match: re.Match) -> bool:
    inline = match.group("inline")
    return inline is None or not inline[-1].isspace() or bool(TEX_ONLY.search(inline))
WHERE_MATH_IS = ".text_cell_render, .dgm-task-label"
NOT_MATH = ("code", "pre", "script", "style", "math", "kbd", "samp")


MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# What a formula may become: presentation MathML, and no attribute that styles, links or classes.
MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "msub", "msup", "msubsup", "mfrac",
               "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mpadded", "mphantom",
               "menclose", "mmultiscripts", "mprescripts", "none", "mstyle", "semantics"}
MATHML_ATTRIBUTES = {"display", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder",
                     "movablelimits", "minsize", "maxsize", "lspace", "rspace", "linethickness", "columnalign",
                     "rowalign", "columnlines", "rowlines", "columnspacing", "rowspacing", "notation",
                     "displaystyle", "scriptlevel", "largeop", "symmetric", "form", "width", "height", "depth"}


def _checked_mathml(markup: str) -> str | None:
    """``markup`` rebuilt from its parsed tree: MathML elements only, allowed attributes only, text escaped.

    latex2mathml copies the argument of ``\\text{}`` (and of ``\\style``, ``\\class``, ``\\href``)
    into its output as it is, so a student's TeX could carry markup; XML comments vanish in
    the parse, and anything that is not MathML makes the formula stay TeX.
    """
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return None
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{MATHML_NS}}}"):
            return None
        if element.tag.split("}", 1)[1] not in MATHML_TAGS:
            return None
        for name in list(element.attrib):
            if name not in MATHML_ATTRIBUTES:
                del element.attrib[name]
    ET.register_namespace("", MATHML_NS)
    return ET.tostring(root, encoding="unicode", short_empty_elements=False)


def tex_to_mathml(tex: str, display: bool) -> str | None:
    """The checked MathML of one formula, or None when it cannot be converted safely."""
    from latex2mathml.converter import convert

    try:
        markup = convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds on TeX it does not know
        return None
    return _checked_mathml(markup)


def _converted(text: str, budget: list[int]) -> str | None:
    """``text`` with its formulas replaced by MathML markup (other text escaped), or None if it has none.

    ``budget`` holds how many formulas may still be converted; each conversion takes one.
    """
    from html import escape

    parts, end, found = [], 0, False
    if len(text) > MAX_TEXT:
        return None
    for match in MATH.finditer(text):
        if budget[0] <= 0:
            break
        if not _is_formula(match):
            continue
        budget[0] -= 1
        display = match.group("display") or match.group("display2")
        tex = display or match.group("inline") or match.group("inline2")
        mathml = tex_to_mathml(tex, display is not None)
        if mathml is None:
            continue
        found = True
        parts.append(escape(text[end:match.start()], quote=False))
        parts.append(mathml)
        end = match.end()
    if not found:
        return None
    parts.append(escape(text[end:], quote=False))
    return "".join(parts)


def _text_that_may_hold_math(soup: BeautifulSoup) -> list[NavigableString]:
    """Plain text nodes of rendered markdown and task labels, outside code and the like."""
    return [node for container in soup.select(WHERE_MATH_IS) for node in container.find_all(string=True)
            if type(node) is NavigableString  # not comments, CDATA and the like
            and not any(parent.name in NOT_MATH for parent in node.parents)]


def render_math(page: str) -> str:
    """``page`` with the TeX in its rendered markdown and task labels replaced by MathML."""
    soup = BeautifulSoup(page, "html.parser")
    budget = [MAX_FORMULAS]
    for node in _text_that_may_hold_math(soup):
        replacement = _converted(str(node), budget)
        if replacement is not None:
            node.replace_with(BeautifulSoup(replacement, "html.parser"))
    return str(soup)


def tex_to_mathml_filter(fragment: str) -> str:
    """A Jinja filter: an HTML fragment of rendered markdown with its formulas as MathML."""
    page = render_math(f'<div class="text_cell_render">{fragment}</div>')
    start, end = page.index(">") + 1, page.rindex("</div>")
    return page[start:end]


def count_raw_tex(page: str) -> int:
    """Formulas still written as TeX in rendered markdown (0 once ``render_math`` has run)."""
    soup = BeautifulSoup(page, "html.parser")
    return sum(1 for node in _text_that_may_hold_math(soup) for match in MATH.finditer(str(node)) if _is_formula(match))
