"""Text from the hub, fit to go into Markdown that Home Assistant renders.

Repair issue descriptions are Markdown, rendered with raw HTML, images and
even SVG allowed. A hub names its own instances, so an instance name must not
be able to add a link, an image or markup there.
"""

from __future__ import annotations

import re
from typing import Final

# CommonMark lets a backslash escape any ASCII punctuation character, and only
# those (before anything else a backslash shows as itself).
_ASCII_PUNCTUATION: Final = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


def markdown_literal(text: str) -> str:
    """Return Markdown that renders as ``text``, on one line.

    Every ASCII punctuation character is escaped, so no part of the text can
    open a link, an image, emphasis, code, an HTML tag or an entity, and no
    address or e-mail address in it is linked by itself (GitHub-flavoured
    Markdown links bare ``www.``, ``http://`` and ``a@b.c``). Line breaks,
    other control characters and runs of spaces become one space, so the text
    cannot start a heading, a list, a quote or a code block either.
    """
    printable = "".join(char if char.isprintable() else " " for char in text)
    return _ASCII_PUNCTUATION.sub(r"\\\1", " ".join(printable.split()))
