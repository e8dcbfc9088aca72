"""User text made inert for where it is shown: spreadsheets, PDF paragraphs, Markdown.

Branch names, regions, auditors, comments, notes and reasons are typed by people (or come in
with an outside workbook). Each output reads some characters as instructions: a spreadsheet
runs a cell starting with ``=`` as a formula, reportlab reads ``<b>`` and ``&amp;`` in a
paragraph as markup, Streamlit's Markdown turns ``[x](http://...)`` into a link and
``![x](...)`` into an image. These functions, one per output, keep the text as the person
typed it and take the instructions out. Pure string functions, so every layer can use them.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""What a spreadsheet may read as the start of a formula (OWASP's list: = + - @ tab CR, and
the full-width forms some spreadsheets fold to them)."""


def spreadsheet_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice
    for CSV); leading spaces do not hide a formula start. Numbers, dates and ``None`` pass
    unchanged, so ``-3`` stays a number."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def paragraph_text(text: str) -> str:
    """Text for a reportlab ``Paragraph``: ``&``, ``<`` and ``>`` as entities, so ``<img>``,
    ``<a href>``, ``<font>`` and ``&`` entities print as typed and never act."""
    return escape(text, quote=False)


# Characters that start a Markdown construct anywhere in a line: emphasis (* _), code (`),
# links and images ([ ]), raw HTML and autolinks (<), entities (&), strikethrough (~), maths
# ($), tables (|), and the escape itself (\). Streamlit's colour and icon directives
# (:red[...], :material/...:) need [ or :material/, both taken care of.
# An underscore inside a word ("na_allowed") or between spaces (" _ ") cannot start or end
# emphasis, so it is left as typed.
_INLINE = re.compile(r"[\\`*\[\]<&~$|]|(?<![^\W_])_(?=\S)|(?<=\S)_(?![^\W_])")
# What starts a block at the beginning of a line: headings, quotes, lists, fences, rules,
# setext underlines, and ordered-list numbers ("1." / "1)").
_LINE_START = re.compile(r"^([ \t]*)([#>+\-=*_~`]|\d+(?=[.)]))", re.MULTILINE)
# Bare addresses that GitHub-flavoured Markdown links even when escaped (Streamlit links
# http://..., www. and e-mail addresses in plain text): a WORD JOINER (invisible, zero
# width) breaks the pattern and leaves the text looking the same.
_AUTOLINK = re.compile(r"(?i)(https?:)(//)|(www)(\.)|(@)(?=[-\w])")
WORD_JOINER = "\u2060"


def markdown_text(text: Any) -> str:
    """Text shown literally by Markdown renderers (``st.markdown``, ``st.caption``, alerts,
    titles, labels, ``st.table`` cells): every character that could start a link, image,
    HTML, emphasis, heading or list is backslash-escaped, bare addresses are not linked,
    and line breaks stay line breaks."""
    text = str(text)
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    text = _LINE_START.sub(_escape_line_start, text)
    text = _AUTOLINK.sub(_join, text)
    return text.replace("\r\n", "\n").replace("\n", "  \n")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark = match.group(1), match.group(2)
    if mark.isdigit():  # "1." stays a number, its dot is escaped below
        return indent + mark + "\\"
    return indent + "\\" + mark


def _join(match: re.Match[str]) -> str:
    groups = [g for g in match.groups() if g is not None]
    if len(groups) == 1:  # "@" before a domain
        return groups[0] + WORD_JOINER
    return groups[0] + WORD_JOINER + groups[1]


BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Characters that reorder the text around them (the "Trojan Source" trick): a name that
reads one way on the terminal and is another."""
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI_CONTROLS}]")


def _shown(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """Text for one cell of a terminal table: control characters (ESC starts sequences that
    recolour, clear or retitle a terminal, or plant a hidden hyperlink) are shown as ``\\x1b``
    and the like, bidi controls as ``\\u202e``; tabs and line breaks become spaces, so a row
    stays one line."""
    return _UNSAFE.sub(lambda m: " " if m.group(0) in "\t\n\r" else _shown(m.group(0)), text)


def terminal_lines(text: str) -> str:
    """Text for the terminal as lines: like ``terminal_text`` but line breaks and tabs stay,
    so a message or a YAML document keeps its layout (a carriage return, which would let a
    value overwrite the line before it, is shown as ``\\x0d``)."""
    return _UNSAFE.sub(lambda m: m.group(0) if m.group(0) in "\t\n" else _shown(m.group(0)), text)


def json_text(text: str) -> str:
    """JSON text whose strings hold no raw control, bidi or line-separator character: each is
    written as its ``\\uXXXX`` escape, so the document stays valid JSON and means the same.
    ``json.dumps`` already escapes C0 characters inside strings, so a raw line break is
    layout (between values) and stays."""
    return _UNSAFE.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    character = match.group(0)
    return character if character == "\n" else f"\\u{ord(character):04x}"
