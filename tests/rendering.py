"""Markdown rendered as Home Assistant's frontend renders repairs and notifications.

GitHub-flavoured, line breaks kept, raw HTML let through. GitHub's links of bare
addresses need a package of their own: :data:`GFM_AUTOLINK` finds them instead.
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
