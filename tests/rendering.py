"""Markdown rendered the way Home Assistant's frontend renders it, for tests.

The frontend renders repair issue descriptions and notification messages as
GitHub-flavoured Markdown, with line breaks kept and raw HTML let through
(then filtered; images and SVG allowed in repair issues). markdown-it-py does
the same here, except GitHub's links of bare addresses, which need a package
of their own: :data:`GFM_AUTOLINK` finds what those would link instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
import re
from typing import Final

from markdown_it import MarkdownIt

_MARKDOWN: Final = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(
    ["table", "strikethrough"]
)

GFM_AUTOLINK: Final = re.compile(r"www\.|https?://|[\w.+-]@[\w-]+\.\w")
"""What GitHub-flavoured Markdown links by itself: bare addresses and e-mails."""


@dataclass(frozen=True)
class Rendered:
    """Rendered Markdown: its elements (tag and attributes) and its text."""

    tags: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...]
    text: str


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def render_markdown(markdown: str) -> Rendered:
    """Render ``markdown``; return its elements and its text (entities decoded)."""
    parser = _Parser()
    parser.feed(_MARKDOWN.render(markdown))
    parser.close()
    return Rendered(tuple(parser.tags), "".join(parser.text))
