"""A corpus of hostile and broken input files, generated here: no binary is committed.

Each case is one function that writes one file into a folder and returns a
:class:`BadFile`: where the bytes are, the name the file arrives under (which may itself be
the attack), and what must happen to it (imported, or rejected with which words). The
tests run every case through the import service, the mapping engine's opening of a file
and the branch-list reader; ``tests/hostile/measure.py`` measures each one's time and
memory.

    python -m tests.hostile.corpus DIR     # writes every case into DIR

The base of most cases is a real single-visit template of the telephone checklist, filled
in with openpyxl as an area manager would, for branch ES-CAT-01 of the demo branch list.
Big cases are written as streams (the zip bomb's 2 GB are never in memory).
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import openpyxl

from audit_app.checklists import Catalogue
from audit_app.config import default_checklists_dir
from audit_app.intake import templates as layout
from tests.helpers import PHONE_ANSWERS

CHECKLIST = "greeting_phone"
BRANCH = "ES-CAT-01"
VISIT = datetime(2026, 11, 21, 10, 15)
Outcome = Literal["imported", "rejected"]


@dataclass(frozen=True)
class BadFile:
    case: str
    path: Path
    name: str
    """The name the file is uploaded under (a hostile name is a case of its own)."""
    outcome: Outcome
    words: tuple[str, ...] = ()
    """Words the rejection message must hold, in order of appearance not required."""
    on_open: bool = False
    """Refused as soon as any reader opens it (the template reader, the mapping engine
    and, for the formats a branch list may have, the branch-list reader)."""
    what: str = ""
    """The bad input in a few words (the README's security table)."""
    stored_name: str | None = None
    """For an imported file with a hostile name: the name the import log keeps."""
    expect: dict[str, Any] = field(default_factory=dict)
    """For an imported file: stored answers (item id -> (value, comment)) and the auditor."""

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


# --------------------------------------------------------------------------- bases


def catalogue() -> Catalogue:
    return Catalogue.from_folder(default_checklists_dir())


def filled_workbook(
    answers: dict[str, Any] | None = None,
    comments: dict[str, Any] | None = None,
    *,
    auditor: str = "Hostile Tester",
    when: datetime = VISIT,
) -> openpyxl.Workbook:
    """The telephone template filled in for one visit, as openpyxl writes it."""
    content = layout.write_template(catalogue().get(CHECKLIST), [], language=None)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[layout.VISIT_SHEET]
    sheet["B4"], sheet["B5"], sheet["B6"], sheet["B7"] = BRANCH, when.date(), when.time(), auditor
    answers = PHONE_ANSWERS if answers is None else answers
    for row in range(layout.ITEMS_FIRST_ROW, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id in answers:
            sheet.cell(row, layout.ANSWER_COLUMN + 1).value = answers[item_id]
        if comments and item_id in comments:
            sheet.cell(row, layout.COMMENT_COLUMN + 1).value = comments[item_id]
    return workbook


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_bytes(**kwargs: Any) -> bytes:
    return workbook_bytes(filled_workbook(**kwargs))


def row_of(workbook: openpyxl.Workbook, item_id: str) -> int:
    sheet = workbook[layout.VISIT_SHEET]
    for row in range(layout.ITEMS_FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row, 2).value == item_id:
            return row
    raise KeyError(item_id)


def phone_csv(auditor: str = "Hostile Tester", delimiter: str = ",", when: datetime = VISIT) -> str:
    """The same visit as a long-form audit CSV (one line per answer)."""
    header = ["branch_code", "checklist_id", "checklist_version", "visited_at", "auditor"]
    lines = [delimiter.join([*header, "item_id", "value", "comment"])]
    for item_id, value in PHONE_ANSWERS.items():
        cells = [BRANCH, CHECKLIST, "1", when.strftime("%Y-%m-%dT%H:%M"), auditor]
        lines.append(delimiter.join([*cells, item_id, str(value), ""]))
    return "\r\n".join(lines) + "\r\n"


# --------------------------------------------------------------------------- zip writing


@dataclass(frozen=True)
class Deflated:
    """A member given already deflated: ``raw`` (deflate data), the CRC and the size it
    inflates to, as the directory declares them (a lying directory may declare less)."""

    raw: bytes
    crc: int
    size: int


Member = bytes | Iterable[bytes] | Deflated


def write_zip(path: Path, members: Iterable[tuple[str, Member]]) -> None:
    """A zip written member by member: bytes and streams of bytes are deflated as they
    come (only the small compressed form is held), :class:`Deflated` is copied."""
    directory = []
    with path.open("wb") as out:
        for name, member in members:
            deflated = member if isinstance(member, Deflated) else _deflate(member)
            encoded = name.encode("utf-8")
            offset = out.tell()
            out.write(
                struct.pack(
                    "<IHHHHHIIIHH",
                    0x04034B50,
                    20,
                    0x800,
                    8,
                    0,
                    0x21,
                    deflated.crc,
                    len(deflated.raw),
                    deflated.size,
                    len(encoded),
                    0,
                )
            )
            out.write(encoded)
            out.write(deflated.raw)
            directory.append((encoded, deflated, offset))
        start = out.tell()
        for encoded, deflated, offset in directory:
            out.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0x800,
                    8,
                    0,
                    0x21,
                    deflated.crc,
                    len(deflated.raw),
                    deflated.size,
                    len(encoded),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
            )
            out.write(encoded)
        size = out.tell() - start
        out.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), size, start, 0
            )
        )


def _deflate(member: bytes | Iterable[bytes]) -> Deflated:
    chunks = [member] if isinstance(member, bytes) else member
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts, crc, size = [], 0, 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return Deflated(b"".join(parts), crc, size)


def zeros(megabytes: int) -> Deflated:
    """``megabytes`` MB of zeros deflated without ever being held: one megabyte is
    deflated and flushed to a byte boundary, and that block repeats (each block of the
    same input after a full flush is the same bytes)."""
    block = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    return Deflated(segment * megabytes + compressor.flush(), crc, megabytes << 20)


def members_of(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def replaced(
    data: bytes, changes: dict[str, Callable[[bytes], Member]]
) -> list[tuple[str, Member]]:
    """The members of the zip ``data``, those named in ``changes`` transformed."""
    return [
        (name, changes[name](body) if name in changes else body) for name, body in members_of(data)
    ]


VISIT_PART = "xl/worksheets/sheet1.xml"  # openpyxl writes the sheets in order: Audit first
LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)
"""Nine levels of ten: &lol9; is 10^9 times "lol", 3 GB from a few hundred bytes."""


def _with_doctype(xml: bytes) -> bytes:
    declaration_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return xml[:declaration_end] + LAUGHS + xml[declaration_end:]


# --------------------------------------------------------------------------- cases

CASES: dict[str, Callable[[Path], BadFile]] = {}


def case(function: Callable[[Path], BadFile]) -> Callable[[Path], BadFile]:
    CASES[function.__name__] = function
    return function


@case
def truncated_zip(folder: Path) -> BadFile:
    data = template_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return BadFile(
        "truncated_zip",
        path,
        path.name,
        "rejected",
        ("damaged", "not a complete zip container"),
        on_open=True,
        what="Truncated .xlsx (the zip cut in half)",
    )


@case
def corrupt_central_directory(folder: Path) -> BadFile:
    data = bytearray(template_bytes())
    entry = data.index(b"PK\x01\x02")
    for offset in (*range(16, 20), *range(46, 50)):  # the CRC and the start of the name
        data[entry + offset] ^= 0xFF
    path = folder / "corrupt.xlsx"
    path.write_bytes(bytes(data))
    return BadFile(
        "corrupt_central_directory",
        path,
        path.name,
        "rejected",
        ("damaged",),
        on_open=True,
        what="Corrupt .xlsx (bytes flipped in the zip's central directory)",
    )


@case
def billion_laughs_sheet(folder: Path) -> BadFile:
    def attack(xml: bytes) -> bytes:
        cell = b'<row r="999"><c r="A999" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        return _with_doctype(xml).replace(b"</sheetData>", cell + b"</sheetData>")

    path = folder / "laughs_sheet.xlsx"
    write_zip(path, replaced(template_bytes(), {VISIT_PART: attack}))
    return BadFile(
        "billion_laughs_sheet",
        path,
        path.name,
        "rejected",
        ("DOCTYPE", "entity-expansion", VISIT_PART),
        on_open=True,
        what='XML entity expansion ("billion laughs") in a sheet',
    )


SHARED_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    + LAUGHS
    + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)


@case
def billion_laughs_shared_strings(folder: Path) -> BadFile:
    """openpyxl writes inline strings: a shared-strings part is added, and the Answer
    header cell made to point at its first string."""

    def header(xml: bytes) -> bytes:
        inline = b't="inlineStr"><is><t>Answer</t></is></c>'
        assert inline in xml
        return xml.replace(inline, b't="s"><v>0</v></c>', 1)

    def relation(xml: bytes) -> bytes:
        added = (
            b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        )
        return xml.replace(b"</Relationships>", added + b"</Relationships>")

    def content_type(xml: bytes) -> bytes:
        added = (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        return xml.replace(b"</Types>", added + b"</Types>")

    changes = {
        VISIT_PART: header,
        "xl/_rels/workbook.xml.rels": relation,
        "[Content_Types].xml": content_type,
    }
    path = folder / "laughs_strings.xlsx"
    members = replaced(template_bytes(), changes)
    write_zip(path, [*members, ("xl/sharedStrings.xml", SHARED_STRINGS)])
    return BadFile(
        "billion_laughs_shared_strings",
        path,
        path.name,
        "rejected",
        ("DOCTYPE", "entity-expansion", "xl/sharedStrings.xml"),
        on_open=True,
        what='XML entity expansion ("billion laughs") in the shared strings',
    )


@case
def zip_bomb(folder: Path) -> BadFile:
    path = folder / "bomb.xlsx"
    write_zip(path, [*members_of(template_bytes()), ("xl/media/image1.bin", zeros(2048))])
    return BadFile(
        "zip_bomb",
        path,
        path.name,
        "rejected",
        ("would inflate to 2,048 MB", "200 MB", "zip bomb"),
        on_open=True,
        what="Zip bomb: 2 MB that inflate to 2 GB",
    )


@case
def zip_bomb_lying_directory(folder: Path) -> BadFile:
    honest = zeros(2048)
    lying = Deflated(honest.raw, honest.crc, 1000)  # the directory says 1,000 bytes
    path = folder / "bomb_lying.xlsx"
    write_zip(path, [*members_of(template_bytes()), ("xl/media/image1.bin", lying)])
    return BadFile(
        "zip_bomb_lying_directory",
        path,
        path.name,
        "rejected",
        ("damaged", "CRC"),
        on_open=True,
        what="Zip bomb whose directory declares 1,000 bytes for 2 GB",
    )


@case
def zip_many_parts(folder: Path) -> BadFile:
    path = folder / "many_parts.xlsx"
    extra = [(f"xl/media/p{n}.bin", b"") for n in range(10_001)]
    write_zip(path, [*members_of(template_bytes()), *extra])
    return BadFile(
        "zip_many_parts",
        path,
        path.name,
        "rejected",
        ("more than 10,000 parts",),
        on_open=True,
        what="A zip of 10,000 empty parts",
    )


@case
def million_empty_rows(folder: Path) -> BadFile:
    """A million formatted empty rows after the visit, the sheet XML written directly."""

    def rows(xml: bytes) -> Iterator[bytes]:
        head, tail = xml.split(b"</sheetData>")
        head = re.sub(rb"<dimension ref=\"[^\"]*\"\s*/>", b'<dimension ref="A1:Z1000000"/>', head)
        yield head
        last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', head))
        for start in range(last + 1, 1_000_001, 10_000):
            yield b"".join(
                b'<row r="%d" s="1" customFormat="1" ht="15" customHeight="1"/>' % n
                for n in range(start, min(start + 10_000, 1_000_001))
            )
        yield b"</sheetData>" + tail

    path = folder / "million_rows.xlsx"
    write_zip(path, replaced(template_bytes(), {VISIT_PART: rows}))
    return BadFile(
        "million_empty_rows",
        path,
        path.name,
        "imported",
        what="A million formatted empty rows (dimension A1:Z1000000)",
        expect={"answers": _phone_answers()},
    )


@case
def sparse_far_cell(folder: Path) -> BadFile:
    workbook = filled_workbook()
    workbook[layout.VISIT_SHEET]["XFD1048576"] = "x"
    path = folder / "sparse.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    return BadFile(
        "sparse_far_cell",
        path,
        path.name,
        "rejected",
        ("row 1,048,576", "A1:XFD1048576", "at most 100,000 rows"),
        on_open=True,
        what="A value in XFD1048576 besides the visit (calamine would allocate 17 billion cells)",
    )


@case
def ten_thousand_columns(folder: Path) -> BadFile:
    workbook = filled_workbook()
    sheet = workbook[layout.VISIT_SHEET]
    for column in range(8, 10_001):
        sheet.cell(2, column).value = f"c{column}"
    path = folder / "wide.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    return BadFile(
        "ten_thousand_columns",
        path,
        path.name,
        "rejected",
        ("column 10,000", "A1:NTP20", "at most 1,000 columns"),
        on_open=True,
        what="10,000 columns",
    )


@case
def long_cell(folder: Path) -> BadFile:
    workbook = filled_workbook(comments={"answer.rings": "x" * 10})
    row = row_of(workbook, "answer.rings")

    def longer(xml: bytes) -> bytes:  # openpyxl itself cuts a text at 32,767 characters
        assert b">xxxxxxxxxx<" in xml
        return xml.replace(b">xxxxxxxxxx<", b">" + b"x" * 100_000 + b"<", 1)

    path = folder / "long_cell.xlsx"
    write_zip(path, replaced(workbook_bytes(workbook), {VISIT_PART: longer}))
    return BadFile(
        "long_cell",
        path,
        path.name,
        "rejected",
        (f"cell F{row}", "100,000 characters", "at most 32,767"),
        on_open=True,
        what="A cell of 100,000 characters (.xlsx)",
    )


@case
def long_cell_csv(folder: Path) -> BadFile:
    text = phone_csv().replace("answer.rings,4,", "answer.rings,4," + "y" * 100_000, 1)
    path = folder / "long_cell.csv"
    path.write_text(text, encoding="utf-8")
    return BadFile(
        "long_cell_csv",
        path,
        path.name,
        "rejected",
        ("line 2, column 8", "100,000 characters", "at most 32,767"),
        on_open=True,
        what="A cell of 100,000 characters (.csv)",
    )


def _cached(xml: bytes, ref: str, value: str) -> bytes:
    """Give the formula cell ``ref`` the value Excel would have cached (openpyxl writes
    formulas without one)."""
    pattern = rb'<c r="%s"([^>]*?)(?: t="\w+")?>(<f>.*?</f>)(?:<v\s*/>|<v>\s*</v>)'
    found = re.search(pattern % ref.encode(), xml)
    assert found is not None, ref
    style, formula = found.group(1), found.group(2)
    cell = b'<c r="%s"%s t="str">%s<v>%s</v>' % (ref.encode(), style, formula, value.encode())
    return xml[: found.start()] + cell + xml[found.end() :]


@case
def formulas_and_links(folder: Path) -> BadFile:
    """Formulas in answer and comment cells: a HYPERLINK, a link to another workbook and
    a DDE command. Nothing is evaluated or followed: the values Excel cached are read."""
    formulas = {
        "call.clear_speech": '=HYPERLINK("http://evil.example/steal","No")',
    }
    comments = {
        "answer.rings": "='[other.xlsx]Sheet1'!A1",
        "call.tone": "=cmd|' /C calc'!A0",
    }
    workbook = filled_workbook({**PHONE_ANSWERS, **formulas}, comments)
    refs = {
        "clear": f"E{row_of(workbook, 'call.clear_speech')}",
        "rings": f"F{row_of(workbook, 'answer.rings')}",
    }

    def cache(xml: bytes) -> bytes:
        xml = _cached(xml, refs["clear"], "No")
        return _cached(xml, refs["rings"], "counted from the link")

    path = folder / "formulas.xlsx"
    write_zip(path, replaced(workbook_bytes(workbook), {VISIT_PART: cache}))
    answers = _phone_answers()
    answers["call.clear_speech"] = (False, False, None)
    answers["answer.rings"] = (4.0, False, "counted from the link")
    answers["call.tone"] = (4, False, None)  # the DDE cell has no cached value: no comment
    return BadFile(
        "formulas_and_links",
        path,
        path.name,
        "imported",
        what="Formulas: =HYPERLINK, a link to another workbook, DDE (=cmd|' /C calc'!A0)",
        expect={"answers": answers},
    )


@case
def hidden_sheets(folder: Path) -> BadFile:
    workbook = filled_workbook()
    for title, state in (("Secret", "hidden"), ("Deeper", "veryHidden")):
        sheet = workbook.create_sheet(title)
        sheet.sheet_state = state
        sheet["A1"], sheet["B1"] = "branch", "ES-CAT-02"
    path = folder / "hidden.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    return BadFile(
        "hidden_sheets",
        path,
        path.name,
        "imported",
        what="Hidden and very hidden sheets beside the visit",
        expect={"answers": _phone_answers()},
    )


@case
def hidden_visit_sheet(folder: Path) -> BadFile:
    workbook = filled_workbook()
    workbook.create_sheet("Cover", 0)["A1"] = "Nothing to see"
    workbook[layout.VISIT_SHEET].sheet_state = "hidden"
    workbook.active = 0
    path = folder / "hidden_visit.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    return BadFile(
        "hidden_visit_sheet",
        path,
        path.name,
        "rejected",
        ("sheet 'Audit' is hidden", "unhide"),
        what="The visit's sheet hidden behind a harmless one",
    )


@case
def macros_xlsm(folder: Path) -> BadFile:
    path = folder / "macros.xlsm"
    path.write_bytes(template_bytes())
    return BadFile(
        "macros_xlsm",
        path,
        path.name,
        "rejected",
        ("macros", ".xlsm", "save it as an Excel Workbook (.xlsx)"),
        on_open=True,
        what="Macros: an .xlsm workbook",
    )


@case
def macros_in_xlsx(folder: Path) -> BadFile:
    path = folder / "vba.xlsx"
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Attribute VB_Name = "Module1"' * 10
    write_zip(path, [*members_of(template_bytes()), ("xl/vbaProject.bin", vba)])
    return BadFile(
        "macros_in_xlsx",
        path,
        path.name,
        "rejected",
        ("macros",),
        on_open=True,
        what="Macros: an .xlsx carrying xl/vbaProject.bin",
    )


@case
def password_encrypted(folder: Path) -> BadFile:
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(template_bytes())).encrypt("s3cret", encrypted)
    path = folder / "encrypted.xlsx"
    path.write_bytes(encrypted.getvalue())
    return BadFile(
        "password_encrypted",
        path,
        path.name,
        "rejected",
        ("password-protected", "remove the password"),
        on_open=True,
        what="A workbook encrypted with a password",
    )


@case
def password_protected_sheet(folder: Path) -> BadFile:
    from openpyxl.workbook.protection import WorkbookProtection

    workbook = filled_workbook()
    workbook[layout.VISIT_SHEET].protection.set_password("s3cret")
    workbook.security = WorkbookProtection(workbookPassword="s3cret", lockStructure=True)
    path = folder / "protected.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    return BadFile(
        "password_protected_sheet",
        path,
        path.name,
        "imported",
        what="Sheet and structure protected with a password (not encrypted)",
        expect={"answers": _phone_answers()},
    )


@case
def binary_xlsb(folder: Path) -> BadFile:
    path = folder / "binary.xlsb"
    path.write_bytes(template_bytes())
    return BadFile(
        "binary_xlsb",
        path,
        path.name,
        "rejected",
        ("binary workbooks (.xlsb)", "save it as an Excel Workbook (.xlsx)"),
        on_open=True,
        what="A binary workbook (.xlsb), whose cells cannot be checked before reading",
    )


def _repeated_cells_ods(path: Path) -> None:
    """An 800-byte OpenDocument sheet whose repeated cells ask calamine for 90 million."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Visits">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>branch'
        "</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="9000"><table:table-cell '
        'table:number-columns-repeated="10000"/></table:table-row><table:table-row>'
        '<table:table-cell table:number-columns-repeated="10000"/><table:table-cell '
        'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    write_zip(
        path,
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content.encode()),
            ("META-INF/manifest.xml", manifest.encode()),
        ],
    )


@case
def ods_repeated_cells(folder: Path) -> BadFile:
    path = folder / "repeated.ods"
    _repeated_cells_ods(path)
    return BadFile(
        "ods_repeated_cells",
        path,
        path.name,
        "rejected",
        ("sheet 'Visits'", "column 10,001", "at most 1,000 columns"),
        on_open=True,
        what="An .ods of 800 bytes whose repeated cells span 90 million",
    )


@case
def ods_bomb_named_xlsx(folder: Path) -> BadFile:
    path = folder / "disguised.xlsx"  # calamine goes by the content, not the name
    _repeated_cells_ods(path)
    return BadFile(
        "ods_bomb_named_xlsx",
        path,
        path.name,
        "rejected",
        ("column 10,001", "at most 1,000 columns"),
        on_open=True,
        what="The same .ods named .xlsx",
    )


@case
def sparse_named_xls(folder: Path) -> BadFile:
    workbook = filled_workbook()
    workbook[layout.VISIT_SHEET]["XFD1048576"] = "x"
    path = folder / "sparse.xls"
    path.write_bytes(workbook_bytes(workbook))
    return BadFile(
        "sparse_named_xls",
        path,
        path.name,
        "rejected",
        ("XFD1048576", "at most 100,000 rows"),
        on_open=True,
        what="The sparse .xlsx named .xls (an .xls is not a zip, but calamine reads it)",
    )


@case
def sheet_part_renamed(folder: Path) -> BadFile:
    """The sparse sheet stored as ``xl/worksheets/data.bin.txt``: calamine follows the
    workbook's relationships, whatever a part is called."""
    workbook = filled_workbook()
    workbook[layout.VISIT_SHEET]["XFD1048576"] = "x"
    renamed = "xl/worksheets/data.bin.txt"

    def relations(xml: bytes) -> bytes:
        return xml.replace(b"/xl/worksheets/sheet1.xml", b"/" + renamed.encode()).replace(
            b"worksheets/sheet1.xml", renamed.removeprefix("xl/").encode()
        )

    changes = {"xl/_rels/workbook.xml.rels": relations, "[Content_Types].xml": relations}
    members = [
        (renamed if name == VISIT_PART else name, body)
        for name, body in replaced(workbook_bytes(workbook), changes)
    ]
    path = folder / "renamed_part.xlsx"
    write_zip(path, members)
    return BadFile(
        "sheet_part_renamed",
        path,
        path.name,
        "rejected",
        ("XFD1048576", "at most 100,000 rows"),
        on_open=True,
        what="The sparse sheet stored under a part name that is not .xml",
    )


@case
def too_large(folder: Path) -> BadFile:
    path = folder / "huge.csv"
    line = phone_csv().splitlines()[1] + "\r\n"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(phone_csv())
        written = 0
        while written <= 21 * 2**20:
            out.write(line * 1000)
            written += len(line) * 1000
    return BadFile(
        "too_large",
        path,
        path.name,
        "rejected",
        ("larger than the 20 MB upload limit",),
        on_open=True,
        what="A 21 MB file",
    )


TURKISH = "Şule Yılmaz"


def _csv(folder: Path, file: str, data: bytes) -> Path:
    path = folder / file
    path.write_bytes(data)
    return path


@case
def csv_utf16_bom(folder: Path) -> BadFile:
    text = phone_csv(TURKISH, delimiter="\t")  # Excel's "Unicode text": UTF-16, tabs
    path = _csv(folder, "utf16_bom.csv", text.encode("utf-16"))
    return BadFile(
        "csv_utf16_bom",
        path,
        path.name,
        "imported",
        what="CSV in UTF-16 with BOM, tab-separated (Excel's Unicode text)",
        expect={"answers": _phone_answers(), "auditor": TURKISH},
    )


@case
def csv_utf16_no_bom(folder: Path) -> BadFile:
    path = _csv(folder, "utf16le.csv", phone_csv(TURKISH).encode("utf-16-le"))
    return BadFile(
        "csv_utf16_no_bom",
        path,
        path.name,
        "imported",
        what="CSV in UTF-16 (little-endian) without BOM",
        expect={"answers": _phone_answers(), "auditor": TURKISH},
    )


@case
def csv_utf16be_no_bom(folder: Path) -> BadFile:
    path = _csv(folder, "utf16be.csv", phone_csv(TURKISH, delimiter=";").encode("utf-16-be"))
    return BadFile(
        "csv_utf16be_no_bom",
        path,
        path.name,
        "imported",
        what="CSV in UTF-16 (big-endian) without BOM, semicolons",
        expect={"answers": _phone_answers(), "auditor": TURKISH},
    )


@case
def csv_latin1(folder: Path) -> BadFile:
    path = _csv(folder, "latin1.csv", phone_csv("José Núñez").encode("latin-1"))
    return BadFile(
        "csv_latin1",
        path,
        path.name,
        "rejected",
        ("not UTF-8 text, nor UTF-16", "line 2", "0xE9", "save it as CSV UTF-8"),
        on_open=True,
        what="CSV in Latin-1",
    )


@case
def csv_windows_1254(folder: Path) -> BadFile:
    path = _csv(folder, "turkish.csv", phone_csv(TURKISH).encode("cp1254"))
    return BadFile(
        "csv_windows_1254",
        path,
        path.name,
        "rejected",
        ("not UTF-8 text, nor UTF-16", "line 2", "0xDE", "Windows-1254 (Turkish)"),
        on_open=True,
        what="CSV in Windows-1254 (Turkish)",
    )


@case
def csv_invalid_utf8(folder: Path) -> BadFile:
    data = phone_csv("Broken \udcc3( Name").encode("utf-8", "surrogateescape")
    path = _csv(folder, "invalid.csv", data)
    return BadFile(
        "csv_invalid_utf8",
        path,
        path.name,
        "rejected",
        ("not UTF-8 text", "0xC3"),
        on_open=True,
        what="CSV with invalid UTF-8 bytes",
    )


@case
def csv_mixed_separators(folder: Path) -> BadFile:
    lines = phone_csv().splitlines()
    lines[3] = lines[3].replace(",", ";")
    lines[5] = lines[5].replace(",", "\t")
    path = _csv(folder, "mixed.csv", ("\r\n".join(lines) + "\r\n").encode())
    return BadFile(
        "csv_mixed_separators",
        path,
        path.name,
        "rejected",
        ("line 1 is separated by commas but line 4 by semicolons", "one separator"),
        on_open=True,
        what="CSV with mixed separators (, ; and tabs)",
    )


@case
def csv_nul_bytes(folder: Path) -> BadFile:
    text = phone_csv().replace("Hostile Tester", "Hostile\x00Tester")
    path = _csv(folder, "nul.csv", text.encode())
    return BadFile(
        "csv_nul_bytes",
        path,
        path.name,
        "rejected",
        ("NUL bytes", "line 2"),
        on_open=True,
        what="CSV with NUL bytes",
    )


def _named(case_name: str, name: str, stored: str, csv: bool = False, minute: int = 0) -> Any:
    def build(folder: Path) -> BadFile:
        when = VISIT.replace(minute=minute)
        if csv:
            path = _csv(folder, f"{case_name}.csv", phone_csv(when=when).encode())
        else:
            path = folder / f"{case_name}.xlsx"
            path.write_bytes(template_bytes(when=when))
        return BadFile(
            case_name,
            path,
            name,
            "imported",
            what=f"File name {name[:40]!r}" + ("…" if len(name) > 40 else ""),
            stored_name=stored,
            expect={"answers": _phone_answers()},
        )

    build.__name__ = case_name
    return case(build)


_named("name_path_traversal", "../../etc/passwd.xlsx", "passwd.xlsx")
_named("name_windows_path", "C:\\evil\\x.csv", "x.csv", csv=True, minute=1)
_named("name_nul", "evil\x00.xlsx", "evil_.xlsx", minute=2)
_named("name_newline", "bad\nname.csv", "bad_name.csv", csv=True, minute=3)
_named("name_ansi_escape", "\x1b[31mred.xlsx", "_[31mred.xlsx", minute=4)
_named("name_right_to_left", "visit\u202exslx.csv", "visit_xslx.csv", csv=True, minute=5)
_named("name_very_long", "a" * 5_000 + ".xlsx", "a" * 114 + "….xlsx", minute=6)


def _phone_answers() -> dict[str, tuple[Any, bool, str | None]]:
    """The stored (value, N/A, comment) of PHONE_ANSWERS, as the import tests round-trip
    them."""
    return {
        "answer.rings": (4.0, False, None),
        "answer.greeting": (True, False, None),
        "call.clear_speech": (False, False, None),
        "call.tone": (4, False, None),
        "call.hold": ("asked_first", False, None),
        "call.all_answered": (True, False, None),
        "call.anything_else": (False, False, None),
        "voicemail.greeting_current": (None, True, None),
        "voicemail.return_hours": (6.0, False, None),
    }


def write_all(folder: Path, only: Iterable[str] | None = None) -> dict[str, BadFile]:
    folder.mkdir(parents=True, exist_ok=True)
    wanted = list(only) if only is not None else list(CASES)
    return {name: CASES[name](folder) for name in wanted}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.hostile.corpus DIR", file=sys.stderr)
        return 2
    for bad in write_all(Path(argv[0])).values():
        print(f"{bad.case:32} {bad.path.stat().st_size:>12,} B  {bad.outcome:9} {bad.name!r:.60}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
