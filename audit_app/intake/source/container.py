"""A workbook from outside looked at before any spreadsheet parser sees it.

An .xlsx or .ods file is a zip of XML parts. Three things in one would exhaust the server
inside the parser, where nothing can stop it:

- a zip bomb: a small file whose parts inflate to gigabytes. The sizes the zip's central
  directory declares are added up first, then every part is inflated as a stream and
  counted, so a directory that lies is caught too (and its CRC fails);
- XML entity expansion ("billion laughs"): Excel and LibreOffice never write a DOCTYPE,
  so a part whose prolog declares one is refused before it is parsed;
- a sparse sheet: a value in A1 and one in XFD1048576 make calamine allocate the whole
  rectangle between them (17 billion cells: the process aborts). The cells that hold a
  value are found by a cheap scan of each part's tags, and a rectangle beyond the caps of
  ``limits`` is refused. Cells with only a style (a million formatted empty rows) hold no
  value and cost nothing.

Encrypted workbooks (an OLE container), macros and binary workbooks (.xlsb, whose cells
cannot be scanned cheaply) are refused here as well, with what to do instead.
"""

from __future__ import annotations

import functools
import html
import io
import re
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from audit_app.i18n import N_, _, formats
from audit_app.intake.source.limits import (
    Limits,
    RefusedFile,
    check_extent,
    inflated_message,
    sheet_place,
)
from audit_app.intake.source.names import printable, safe_file_name

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".ods"})
"""Suffixes whose files must be zips; any zip is checked, whatever its suffix."""
MAX_PARTS = 10_000
"""A workbook has a few parts per sheet; tens of thousands is an attack on the zip reader."""
CHUNK = 1 << 20
PROLOG_BYTES = 64 * 1024

ENCRYPTED = N_(
    "the workbook is password-protected (encrypted); remove the password in Excel "
    "(File > Info > Protect Workbook) and save it again as .xlsx"
)
MACROS = N_(
    "workbooks with macros (.xlsm) are not imported; save it as an Excel Workbook (.xlsx) "
    "without macros"
)
BINARY = N_(
    "binary workbooks (.xlsb) are not imported: their size cannot be checked before they "
    "are read; save it as an Excel Workbook (.xlsx)"
)


def parser_failure(error: BaseException) -> bool:
    """Whether ``error`` is calamine failing on a file, to be told as unreadable: its own
    exceptions, or a Rust panic (a date cell holding 1e308 makes chrono panic), which
    pyo3 raises as ``PanicException``, a BaseException. Not Python being stopped
    (KeyboardInterrupt, SystemExit) nor out of memory."""
    if type(error).__name__ == "PanicException":
        return True
    return isinstance(error, Exception) and not isinstance(error, MemoryError)


def check_workbook(suffix: str, data: bytes, limits: Limits) -> None:
    """Refuse what must not or cannot be read safely; return when calamine may read it.

    calamine finds a workbook's format from its content, not its name, so a zip is
    checked as both kinds whatever its suffix (an .ods bomb named .xlsx, an .xlsx named
    .xls)."""
    if data.startswith(OLE_MAGIC):
        if suffix != ".xls":
            raise RefusedFile(_(ENCRYPTED))
        return  # a real .xls: bounded by its format (65,536 rows x 256 columns)
    if suffix == ".xlsb":
        raise RefusedFile(_(BINARY))
    if suffix == ".xlsm":
        raise RefusedFile(_(MACROS))
    if not data.startswith(ZIP_MAGIC):
        if suffix in ZIP_SUFFIXES:
            raise RefusedFile(_("not a spreadsheet: the file is not an Excel workbook"))
        return  # neither zip nor OLE: calamine recognises no workbook in it
    if data.count(b"PK\x01\x02") > MAX_PARTS:
        raise RefusedFile(
            _("the workbook has more than {limit} parts; it is not a workbook").format(
                limit=formats.integer(MAX_PARTS)
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive, limits)
    except RefusedFile:
        raise
    except MemoryError:
        raise
    except Exception as error:  # zipfile, zlib and struct errors of a damaged container
        raise RefusedFile(
            _("the workbook is damaged ({reason})").format(reason=_plain(error))
        ) from None


def _plain(error: Exception) -> str:
    if isinstance(error, zipfile.BadZipFile) and "not a zip file" in str(error).lower():
        return _("not a complete zip container; was the download or copy cut short?")
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return printable(text)


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    parts = archive.infolist()
    names = [part.filename.lower() for part in parts]
    if any(name.endswith("vbaproject.bin") for name in names):
        raise RefusedFile(_(MACROS))
    if "xl/workbook.bin" in names or any(
        name.startswith("xl/worksheets/") and name.endswith(".bin") for name in names
    ):
        raise RefusedFile(_(BINARY))
    if any(part.flag_bits & 0x1 for part in parts):
        raise RefusedFile(
            _("parts of the workbook's zip are encrypted; it is not an Excel workbook")
        )
    declared = sum(part.file_size for part in parts)
    if declared > limits.inflated_bytes:
        raise RefusedFile(inflated_message(declared, limits))
    sheets = _sheet_names(archive)
    budget = limits.inflated_bytes
    for part in parts:
        name = printable(part.filename, 80)
        where = (
            sheet_place(sheets[part.filename])
            if part.filename in sheets
            else _("the part {name}").format(name=name)
        )
        scanners: list[_Scanner] = []
        first = True
        try:
            for chunk in _inflate(archive, part):
                budget -= len(chunk)
                if budget < 0:
                    raise RefusedFile(inflated_message(None, limits))
                if first and _looks_like_xml(chunk):
                    _refuse_doctype(chunk, name)
                    scanners.append(_SheetCells(where, limits))  # any part may be a sheet
                    if part.filename == "content.xml":
                        scanners.append(_OdsCells(limits))
                first = False
                for scanner in scanners:
                    scanner.feed(chunk)
            for scanner in scanners:
                scanner.close()
        except _NeedsExactScan:
            exact = _SheetCells(where, limits, exact=True)
            for chunk in _inflate(archive, part):  # inflated once already: within the budget
                exact.feed(chunk)
            exact.close()
            if part.filename == "content.xml":
                ods = _OdsCells(limits)
                for chunk in _inflate(archive, part):
                    ods.feed(chunk)
                ods.close()


def _looks_like_xml(chunk: bytes) -> bool:
    """Whether a part is XML (whatever its name: calamine follows the workbook's
    relationships, so a sheet may be called anything)."""
    return _as_utf8(chunk[:PROLOG_BYTES]).lstrip().startswith(b"<")


def _inflate(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part inflated in chunks (zipfile stops at the declared size and checks the CRC,
    so a part that inflates to more than its directory entry says is caught as damaged)."""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


# --------------------------------------------------------------------------- XML prolog

_PROLOG_SKIP = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def _refuse_doctype(chunk: bytes, name: str) -> None:
    """Refuse a part whose prolog (before its first element) declares a DOCTYPE or entity."""
    head = _as_utf8(chunk[:PROLOG_BYTES])
    position = 0
    while match := _PROLOG_SKIP.match(head, position):
        if match.end() == position:
            break
        position = match.end()
    rest = head[position:].lstrip()
    if rest.startswith((b"<!DOCTYPE", b"<!ENTITY", b"<!doctype")) or b"<!ENTITY" in head:
        raise RefusedFile(
            _(
                "the workbook's part {name} declares a DOCTYPE or entities, which Excel never "
                "writes; refused as a possible XML entity-expansion attack"
            ).format(name=name)
        )


def _as_utf8(head: bytes) -> bytes:
    """The prolog in UTF-8 whatever the part's encoding (UTF-16 could hide a DOCTYPE)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    encoding = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif head[:2] == b"<\x00":
        encoding = "utf-16-le"
    elif head[:2] == b"\x00<":
        encoding = "utf-16-be"
    if encoding is None:
        return head
    return head[: len(head) // 2 * 2].decode(encoding, errors="replace").encode("utf-8")


# --------------------------------------------------------------------------- cell extents


class _Scanner:
    def feed(self, chunk: bytes) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


_ATTRIBUTES = rb"""([^>"']*+(?:(?:"[^"]*+"|'[^']*+')[^>"']*+)*+)"""
"""A tag's attributes; quoted values may hold ``>``. Possessive (Python 3.11): a formatted
empty cell fails at its ``/>`` without backtracking, a third faster on big sheets."""
_PREFIX = rb"<(?:[A-Za-z_][\w.\-]*:)?"
_TAG = re.compile(_PREFIX + rb"(row|c)(?=[\s/>])" + _ATTRIBUTES + rb">")
"""Every row and cell start tag (the exact scan)."""
_FAST = re.compile(
    _PREFIX
    + rb"""c(?:\s+r\s*=\s*"([A-Z]{1,3})([0-9]{1,9})"(?=[\s/>])"""
    + _ATTRIBUTES
    + rb"(?<!/)>|(?!\s+r\s*=\s*\"[A-Z])(?=[\s/>]))"
)
"""A cell holding a value whose reference comes first, as Excel, LibreOffice and openpyxl
write it (group 1 and 2), or any cell start without it (no group: the exact scan is
needed). Rows and formatted empty cells, most of a big sheet, never match."""
_ANY_TAG = re.compile(rb"<" + _ATTRIBUTES + rb">")
_TAG_START = re.compile(_PREFIX + rb"(?:row|c)(?=[\s/>])")
_ATTRIBUTE = re.compile(rb"""([^\s=/"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(rb"\s*([A-Za-z]{0,3})([0-9]{1,9})\s*")
_SECOND_REF = re.compile(rb"""(?:^|\s)(?:[\w.\-]+:)?r\s*=""")
PENDING_MAX = 2 * CHUNK


class _NeedsExactScan(Exception):
    """A cell without its reference first: positions must be followed tag by tag."""


class _SheetCells(_Scanner):
    """The farthest cell holding a value in a SpreadsheetML part: ``<c>`` tags that are not
    empty (``<c r="A1" s="3"/>`` is a formatted empty cell).

    The fast scan lets the regex engine skip rows and empty cells and looks only at cells
    with a value and their reference. A cell without a reference takes its place from the
    cells before it, as calamine places it; on meeting one, the part is scanned again
    exactly, every row and cell tag followed."""

    def __init__(self, where: str, limits: Limits, exact: bool = False) -> None:
        self.where, self.limits, self.exact = where, limits, exact
        self.pending = b""
        self.row, self.column = 0, -1
        self.last_row, self.last_column = 0, 0
        self.found = False

    def feed(self, chunk: bytes) -> None:
        data = self.pending + chunk if self.pending else chunk
        cut = data.rfind(b"<")  # tags before the last "<" are whole ("<" is never in a value)
        if cut == -1:
            self.pending = b""  # text only
            return
        if cut == 0:
            self._long_tag(data)
            return
        if self.exact:
            for match in _TAG.finditer(data, 0, cut):
                self._tag(match.group(1), match.group(2))
        else:
            self._fast_scan(data, cut)
        self.pending = data[cut:]

    def _fast_scan(self, data: bytes, end: int) -> None:
        """The fast scan's loop, kept tight: a dense sheet has a match per value."""
        last_row, last_column = self.last_row, self.last_column
        for letters, digits, rest in _FAST.findall(data, 0, end):
            if not letters or ((b"r=" in rest or b"r " in rest) and _SECOND_REF.search(rest)):
                raise _NeedsExactScan
            row = int(digits)
            if row > last_row:
                last_row = row
            column = _column_index(letters)
            if column > last_column:
                last_column = column
        if last_row:
            self._value_at(last_row, last_column)

    def _fast(self, match: re.Match[bytes]) -> None:
        letters, digits, rest = match.groups()
        if letters is None or _SECOND_REF.search(rest):
            raise _NeedsExactScan
        self._value_at(int(digits), _column_index(letters))

    def _value_at(self, row: int, column: int) -> None:
        self.found = True
        if row > self.last_row or column > self.last_column:
            self.last_row = max(self.last_row, row)
            self.last_column = max(self.last_column, column)
            if self.last_row > self.limits.max_rows or self.last_column >= self.limits.max_columns:
                check_extent(self.where, self.last_row, self.last_column, self.limits)

    def _long_tag(self, data: bytes) -> None:
        """One tag start and nothing else for a while: keep it until it is whole, then
        drop the text after it (text is no cell)."""
        if len(data) <= PENDING_MAX:
            self.pending = data
            return
        if _ANY_TAG.match(data) is None and _TAG_START.match(data):
            raise RefusedFile(
                _("the workbook is damaged ({where}: a tag of over 2 MB)").format(where=self.where)
            )
        self._last(data)
        self.pending = b""

    def _last(self, data: bytes) -> None:
        if self.exact:
            if match := _TAG.match(data):
                self._tag(match.group(1), match.group(2))
        elif match := _FAST.match(data):
            self._fast(match)

    def _tag(self, kind: bytes, attributes: bytes) -> None:
        ref = None
        for name, double, single in _ATTRIBUTE.findall(attributes):
            if name.rpartition(b":")[2] == b"r":  # the farthest, should there be two
                found = _CELL_REF.fullmatch(double or single)
                if found is None:
                    raise RefusedFile(
                        _(
                            "the workbook is damaged ({where}: the cell reference "
                            "{reference} is not valid)"
                        ).format(where=self.where, reference=repr((double or single)[:20]))
                    )
                ref = found if ref is None or int(found.group(2)) > int(ref.group(2)) else ref
        if kind == b"row":
            self.row = int(ref.group(2)) if ref else self.row + 1
            self.column = -1
            return
        if ref is not None and ref.group(1):
            self.column = _column_index(ref.group(1))
            row = int(ref.group(2))
        else:
            self.column += 1
            row = int(ref.group(2)) if ref is not None else self.row
        if not attributes.rstrip().endswith(b"/"):  # not a formatted empty cell
            self._value_at(row, self.column)

    def close(self) -> None:
        if self.pending:
            self._last(self.pending)
        if self.found:
            check_extent(self.where, self.last_row, self.last_column, self.limits)


@functools.lru_cache(maxsize=4096)
def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + (letter - 64)
    return index - 1


TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class _OdsCells(_Scanner):
    """The farthest value in an OpenDocument spreadsheet's ``content.xml``, repeated rows
    and cells counted as calamine expands them (a value repeated 16,384 times across is
    16,384 columns)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.table = ""
        self.row = self.row_repeat = 0
        self.column = self.cell_repeat = 0
        self.in_cell = self.cell_value = False
        self.last_row = self.last_column = 0
        self.found = False
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        self.parser = parser

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except expat.ExpatError as error:
            raise RefusedFile(
                _("the workbook is damaged (content.xml: {reason})").format(reason=error)
            ) from None

    def close(self) -> None:
        self.feed(b"")
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise RefusedFile(
                _("the workbook is damaged (content.xml: {reason})").format(reason=error)
            ) from None

    def _doctype(self, *_ignored: object) -> None:
        raise RefusedFile(
            _(
                "the workbook's content.xml declares a DOCTYPE or entities, which "
                "spreadsheets never write; refused as a possible XML entity-expansion attack"
            )
        )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if name == f"{TABLE} table":
            self.table = attributes.get(f"{TABLE} name", "")
            self.row = 0
        elif name == f"{TABLE} table-row":
            self.row_repeat = _repeat(attributes.get(f"{TABLE} number-rows-repeated"))
            self.column = 0
        elif name in {f"{TABLE} table-cell", f"{TABLE} covered-table-cell"}:
            self.cell_repeat = _repeat(attributes.get(f"{TABLE} number-columns-repeated"))
            self.in_cell = True
            self.cell_value = f"{OFFICE} value-type" in attributes
        elif self.in_cell:
            self.cell_value = True  # text:p and the like: the cell shows something

    def _end(self, name: str) -> None:
        if name in {f"{TABLE} table-cell", f"{TABLE} covered-table-cell"}:
            if self.cell_value:
                self.found = True
                self.last_row = max(self.last_row, self.row + self.row_repeat)
                self.last_column = max(self.last_column, self.column + self.cell_repeat - 1)
                where = sheet_place(self.table) if self.table else _("a sheet")
                check_extent(where, self.last_row, self.last_column, self.limits)
            self.column += self.cell_repeat
            self.in_cell = self.cell_value = False
        elif name == f"{TABLE} table-row":
            self.row += self.row_repeat
        elif name == f"{TABLE} table":
            self.last_row = self.last_column = 0


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


# --------------------------------------------------------------------------- sheet names

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*["']([^"']*)["']""")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> sheet name, for messages; empty when the workbook part is odd (the
    messages then name the part)."""
    try:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return {}
        workbook = _small(archive, "xl/workbook.xml")
        rels = _small(archive, "xl/_rels/workbook.xml.rels")
    except Exception:
        return {}
    targets = {}
    for tag in _REL.findall(rels):
        attributes = dict(_ATTR.findall(tag))
        target = attributes.get(b"Target", b"").decode("utf-8", "replace")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[attributes.get(b"Id", b"")] = part
    found = {}
    for tag in _SHEET.findall(workbook):
        attributes = {key.split(b":")[-1]: value for key, value in _ATTR.findall(tag)}
        part = targets.get(attributes.get(b"id", b""))
        if part:
            name = html.unescape(attributes.get(b"name", b"").decode("utf-8", "replace"))
            found[part] = safe_file_name(name, 60)
    return found


def _small(archive: zipfile.ZipFile, name: str) -> bytes:
    """A part read whole only when it is small (the workbook part and its relationships)."""
    info = archive.getinfo(name)
    if info.file_size > 4 * CHUNK:
        raise ValueError("too large")
    with archive.open(info) as stream:
        return stream.read(4 * CHUNK + 1)[: 4 * CHUNK]
