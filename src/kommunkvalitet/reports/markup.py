"""Users' text: a small Markdown subset rendered to HTML and sanitised (nh3) before it reaches a page, a
JSON twin or a PDF."""

from __future__ import annotations

import html as htmllib

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render(text: str) -> SafeString:
    """Markdown (paragraphs, emphasis, lists, links, quotes, level-3/4 headings) to safe HTML.

    Anything else (raw HTML, scripts, images, styles, javascript: links) is removed.
    """
    html = markdown.markdown(text or "", extensions=[], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def for_json(text: str) -> dict[str, str]:
    """A user's text for a JSON twin: the sanitised HTML the page shows and its plain text, never the
    raw source (a ``javascript:`` link in the source must not reach a system that shows the field)."""
    html = render(text)
    return {"html": str(html), "plain": htmllib.unescape(strip_tags(html)).strip()}
