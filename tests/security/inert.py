"""Reading an output back the way its consumer would, to tell inert text from instructions.

Each check is written from the outside, independent of ``audit_app.domain.safe_text``, so
a neutraliser that is weakened or removed makes the tests fail:

- spreadsheets: a cell is a formula (openpyxl's type ``f``) or text a spreadsheet would run
  (starting with = + - @ tab CR);
- PDFs: the text a reader extracts (pdfplumber) and the link annotations (pypdf);
- Streamlit: every Markdown string of the page (bodies, labels, help texts) parsed with a
  CommonMark parser plus the bare-address links GitHub-flavoured Markdown adds, as the
  browser would render it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl
import pdfplumber
from markdown_it import MarkdownIt
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

# OWASP's list of what makes a spreadsheet cell a formula, written out here on purpose.
RUNS_AS_FORMULA = ("=", "+", "-", "@", "\t", "\r")
WORD_JOINER = "\u2060"


# --------------------------------------------------------------------------- spreadsheets


def would_run(value: object) -> bool:
    """Text a spreadsheet would evaluate when the file is opened (or a cell re-entered); a
    signed number (``-5.9`` in a CSV) is a number, not a formula."""
    if not isinstance(value, str) or not value.lstrip(" ").startswith(RUNS_AS_FORMULA):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@dataclass(frozen=True)
class XlsxCell:
    sheet: str
    coordinate: str
    value: object
    data_type: str


def xlsx_cells(data: bytes) -> list[XlsxCell]:
    """Every non-empty cell of every sheet, with its stored type (``f`` is a formula)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        XlsxCell(sheet.title, cell.coordinate, cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


# --------------------------------------------------------------------------- PDFs


def pdf_text(data: bytes) -> str:
    """The PDF's characters in the order they are drawn (cell by cell, not across a table's
    columns), without whitespace: a wrapped line or a cut between words does not matter;
    compare with :func:`squeezed` text."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return squeezed("".join(char["text"] for page in pdf.pages for char in page.chars))


def squeezed(text: str) -> str:
    return "".join(text.split())


def pdf_links(data: bytes) -> list[str]:
    """Every annotation of every page as ``subtype uri`` (a Paragraph's ``<a href>`` makes a
    /Link annotation with a /URI action)."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            action = annotation.get("/A") or {}
            found.append(f"{annotation.get('/Subtype')} {action.get('/URI', '')}".strip())
    return found


# --------------------------------------------------------------------------- Streamlit

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_ACTIVE = {"link_open", "image", "html_inline", "html_block"}
# The bare addresses remark-gfm links in text (Streamlit's frontend applies these patterns to
# the text after parsing, so escaping alone does not stop them).
_BARE_URL = re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE | re.ASCII)
_BARE_EMAIL = re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.ASCII)
# Element fields Streamlit renders as Markdown; st.text, st.code and selectbox options are
# plain and left out.
_FIELDS = ("body", "label", "help", "text")
_PLAIN_TYPES = {"text", "code", "json", "exception", "arrow_data_frame"}


@dataclass(frozen=True)
class Rendered:
    where: str
    source: str
    text: str
    """What a reader sees: the Markdown's text, word joiners left out."""
    active: frozenset[str]
    """Link, image, raw HTML or bare-address link elements the Markdown would make."""


def render_markdown(source: str, where: str = "") -> Rendered:
    words: list[str] = []
    active: set[str] = set()
    for token in _MARKDOWN.parse(source):
        if token.type in _ACTIVE:
            active.add(token.type)
        if token.type in ("code_block", "fence"):
            words.append(token.content)
        for child in token.children or []:
            if child.type in _ACTIVE:
                active.add(child.type)
            elif child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append("\n")
        if token.type.endswith("_close") and token.block:
            words.append("\n")
    text = "".join(words)
    if _BARE_URL.search(text):
        active.add("bare_url")
    if _BARE_EMAIL.search(text):
        active.add("bare_email")
    return Rendered(where, source, text.replace(WORD_JOINER, ""), frozenset(active))


def markdown_of(app: AppTest) -> Iterator[Rendered]:
    """Every Markdown string on the page (main area and sidebar), rendered."""
    for node in app._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") in _PLAIN_TYPES:
            continue
        for field, value in proto.ListFields():
            if field.name in _FIELDS and isinstance(value, str) and value:
                yield render_markdown(value, f"{node.type}.{field.name}")
            elif field.name == "options" and node.type == "radio":
                for option in value:
                    yield render_markdown(str(option), f"{node.type}.option")


def dataframe_text(app: AppTest) -> str:
    """Every cell of every dataframe on the page (plain text: no Markdown there)."""
    return "\n".join(frame.value.to_csv() for frame in app.dataframe)
