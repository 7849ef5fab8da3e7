"""What may appear in HTML that a student's notebook produced, and a last pass over whole pages.

Feedback pages are opened by students and instructors in a browser, and the formgrader
renders graded notebooks inside the instructor's session. Anything student code printed
or wrote must therefore arrive as inert markup: no scripts, no event handlers, no
frames or forms, and no resources loaded from anywhere (a remote image is a tracking
beacon; a relative one is a request to the formgrader in the instructor's name).

- ``clean_fragment`` is for one output or one markdown cell: an allowlist of tags and
  attributes (bleach), links only to fragments in the page, images only as inline data.
- ``make_page_safe`` is for a finished page: it removes every script (the page works
  without one), frame, form, event handler and URL that leaves the page.
"""
from __future__ import annotations

import re

import bleach

TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div",
        "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre",
        "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "tt", "u", "ul", "var"}
COMMON_ATTRIBUTES = {"title", "align", "colspan", "rowspan", "width", "height", "alt", "border"}
INLINE_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$")
BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")


def _stays_in_page(name: str, value: str) -> bool:
    """A link to a fragment of this page, or an image carried inline; every other URL leaves the page."""
    value = value.strip()
    if name in ("href", "xlink:href"):
        return value.startswith("#")
    if name == "src":
        return bool(INLINE_IMAGE.match(value))
    return False


# Classes student output may keep. Any other class would borrow the page's own styles
# (Bootstrap's "modal", "navbar-fixed-top", "hidden"...): enough to lay a fake score over
# the feedback or hide a flagged cell from the instructor.
SAFE_CLASSES = {"dataframe"}


def _allowed(tag: str, name: str, value: str) -> bool:
    if name in ("href", "src"):
        return tag == ("a" if name == "href" else "img") and _stays_in_page(name, value)
    if name == "class":
        return set(value.split()) <= SAFE_CLASSES
    return name in COMMON_ATTRIBUTES


def clean_fragment(text: str) -> str:
    """An HTML fragment with only inert markup left (disallowed tags are dropped, their text kept)."""
    return bleach.clean(text, tags=TAGS, attributes=_allowed, protocols=["data"], strip=True, strip_comments=True)


def is_base64(data: str) -> bool:
    return isinstance(data, str) and bool(BASE64.match(data))


# --- whole pages -------------------------------------------------------------------------
DROPPED_ELEMENTS = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
                    "form", "input", "button", "textarea", "select", "link", "portal", "template")
URL_ATTRIBUTES = ("href", "src", "xlink:href", "action", "formaction", "srcset", "poster", "background",
                  "data", "codebase", "cite", "ping", "manifest", "lowsrc", "dynsrc")
CSS_URL = re.compile(r"url\(\s*(?!['\"]?data:image/)[^)]*\)|@import[^;]*;?|expression\s*\(", re.I)


def make_page_safe(page: str) -> str:
    """The page without scripts, frames, forms, event handlers, or URLs that leave it."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    for element in soup.find_all(DROPPED_ELEMENTS):
        element.decompose()
    for element in soup.find_all("meta"):
        if any(key.lower() != "charset" for key in element.attrs):
            element.decompose()
    for style in soup.find_all("style"):
        style.string = CSS_URL.sub("none", style.get_text())
    for element in soup.find_all(True):
        for name in list(element.attrs):
            lowered = name.lower()
            value = element.attrs[name]
            text = " ".join(value) if isinstance(value, list) else str(value)
            if lowered.startswith("on") or (lowered in URL_ATTRIBUTES and not _stays_in_page(lowered, text)):
                del element.attrs[name]
            elif lowered == "style" and CSS_URL.search(text):
                element.attrs[name] = CSS_URL.sub("none", text)
    return str(soup)

