"""Property test of markdown_literal: any text renders as itself, on one line.

Derandomized. Hostile names where shown: test_repairs.py, test_blueprints.py.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from custom_components.vidigates.markdown import markdown_literal

from .rendering import GFM_AUTOLINK, render_markdown

# Markdown's own characters, line breaks, HTML and the like, often enough to
# meet each other.
MARKUP = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \n\t\r\x00\u2028\xa0"
PIECES = ["www.", "http://", "a@b.c", "<img src=x>", "&amp;", "&#60;", "    "]
TEXT = st.lists(
    st.one_of(
        st.sampled_from(MARKUP),
        st.sampled_from(PIECES),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
).map("".join)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(TEXT)
def test_any_text_renders_as_itself(text: str) -> None:
    """One paragraph of the text itself: no other element, no line break."""
    shown = " ".join(
        "".join(char if char.isprintable() else " " for char in text).split()
    )
    markdown = f"x {markdown_literal(text)} x"
    rendered = render_markdown(markdown)

    assert rendered.tags == (("p", ()),)
    assert rendered.text == f"x {shown} x\n"
    assert not GFM_AUTOLINK.search(markdown)
