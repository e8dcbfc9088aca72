"""The one neutraliser per output (``audit_app.domain.safe_text``), on the edge cases the
end-to-end tests do not reach."""

from __future__ import annotations

from datetime import date

import pytest

from audit_app.domain.safe_text import (
    markdown_text,
    paragraph_text,
    spreadsheet_text,
    terminal_text,
)
from tests.security.inert import render_markdown, would_run


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "  =1",  # leading spaces do not hide it
        "＝1+1",  # full-width equals sign
    ],
)
def test_formula_starts_get_an_apostrophe(text: str) -> None:
    assert spreadsheet_text(text) == "'" + text
    assert not would_run(spreadsheet_text(text))


@pytest.mark.parametrize(
    "value", ["Barcelona", "'quoted", "", "a=b", -3, 2.5, None, True, date(2026, 5, 1)]
)
def test_other_values_pass_unchanged(value: object) -> None:
    assert spreadsheet_text(value) == value


def test_paragraph_text_escapes_markup_once() -> None:
    assert (
        paragraph_text('<b>x</b> & <a href="y">') == '&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href="y"&gt;'
    )
    assert paragraph_text("&amp;") == "&amp;amp;"  # a typed entity stays as typed


@pytest.mark.parametrize(
    "text",
    [
        "[link](http://evil.example)",
        "![pixel](http://evil.example/p.png)",
        "<img src=x onerror=alert(1)>",
        "<https://evil.example>",
        "http://evil.example and www.evil.example",
        "write to bob@evil.example",
        "[ref]\n\n[ref]: http://evil.example",
        "&lt;b&gt; &#x41;",
        "# heading\n1. list\n- item\n> quote\n\n---\ntext\n===",
        "**bold** _em_ `code` ~~gone~~ $x^2$ :red[red] | a | b |",
        "back\\slash \\[not a link\\](x)",
    ],
)
def test_markdown_text_shows_what_was_typed_and_nothing_active(text: str) -> None:
    rendered = render_markdown(markdown_text(text))
    assert rendered.active == frozenset()
    assert rendered.text.split() == text.split()  # the same words; line breaks may differ


def test_markdown_text_leaves_plain_text_alone() -> None:
    plain = "Gràcia (ES-CAT-01), audit #12: 'Tone is friendly' na_allowed 3.5 % — ok?"
    assert markdown_text(plain) == plain


def test_markdown_text_keeps_line_breaks() -> None:
    assert render_markdown(markdown_text("one\ntwo")).text == "one\ntwo\n"


def test_terminal_text_shows_control_characters() -> None:
    assert terminal_text("a\x1b[2Jb\x07") == "a\\x1b[2Jb\\x07"
    assert terminal_text("tab\there\nnext") == "tab here next"
    assert terminal_text("\x9b31m") == "\\x9b31m"  # the 8-bit CSI as well
    assert terminal_text("Ünye · İstanbul") == "Ünye · İstanbul"
