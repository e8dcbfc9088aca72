"""Property-based tests: random values, shapes and encodings fed into the CSV reader, the
template reader and the mapping engine. Whatever comes in, the readers raise nothing but
their documented errors (``UnreadableFile``, an ``AuditAppError``), the import service
returns a ``FileImport``, a file that is not imported leaves the database exactly as it
was, and a file that is imported stores exactly the audits it reports.

Example counts are modest (the ``hostile`` profile: 40 each) so that the file runs in
well under a minute; ``AUDIT_FUZZ_EXAMPLES=500`` searches harder.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import string
from datetime import date, datetime, time
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from audit_app.errors import AuditAppError
from audit_app.intake import templates as layout
from audit_app.intake.layouts.ours import UnreadableFile, read_audit_file
from audit_app.intake.layouts.profile import read_with_profile, suggest_profile
from audit_app.intake.source.grid import open_grid
from audit_app.intake.source.tabular import TableFileError, read_csv_bytes
from audit_app.services.audits import load_audit
from audit_app.services.context import AppContext
from audit_app.services.imports import FileImport, ImportSource, import_bytes
from tests.helpers import PHONE_ANSWERS, database_snapshot
from tests.hostile.corpus import BRANCH, CHECKLIST, catalogue, phone_csv

settings.register_profile(
    "hostile",
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
HOSTILE = settings(
    settings.get_profile("hostile"),
    max_examples=int(os.environ.get("AUDIT_FUZZ_EXAMPLES", "40")),
)
"""``AUDIT_FUZZ_EXAMPLES=500`` searches harder (minutes instead of seconds)."""
TEMPLATE = layout.write_template(catalogue().get(CHECKLIST), [], language=None)
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1254")

texts = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from('\x00\x1b\n\r\t;,"'),
    max_size=40,
)
huge_texts = st.integers(30_000, 40_000).map(lambda n: "ü" * n)
cell_values = st.one_of(
    st.none(),
    texts,
    st.sampled_from(["Yes", "No", "N/A", "yes", "0", "4", "11", "-1", "1e308", "NaN", "#REF!"]),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
    st.times(),
    st.sampled_from(
        [
            '=HYPERLINK("http://evil.example/","Yes")',
            "='[other.xlsx]Sheet1'!A1",
            "=cmd|' /C calc'!A0",
            "=1/0",
            "=SUM(A1:A1048576)",
            "@SUM(1)",
            "+1",
        ]
    ),
    huge_texts,
)


def _outcome_is_whole(ctx: AppContext, before: dict[str, Any], result: FileImport) -> None:
    """Rejected or duplicate: nothing changed. Imported: the audits reported are stored,
    and nothing else of audits was written."""
    assert isinstance(result, FileImport)
    after = database_snapshot(ctx)
    if result.status != "imported":
        assert result.problems or result.status == "already_imported"
        assert after == before
        return
    added = [audit for audit in result.audits if not audit.already_present]
    assert len(after["audits"]) == len(before["audits"]) + len(added)
    assert len(after["import_files"]) == len(before["import_files"]) + 1
    for audit in added:
        stored = load_audit(ctx, audit.audit_id)  # type: ignore[arg-type]
        visit = stored.record.visit
        reported = (audit.branch_code, audit.checklist_id, audit.visited_at, audit.auditor)
        assert (visit.branch_code, visit.checklist_id, visit.visited_at, visit.auditor) == reported
        assert stored.overall == audit.overall
        assert stored.grade == audit.grade


def _import(ctx: AppContext, name: str, data: bytes, **kwargs: Any) -> FileImport:
    before = database_snapshot(ctx)
    result = import_bytes(ctx, name, data, **kwargs)
    _outcome_is_whole(ctx, before, result)
    return result


# --------------------------------------------------------------------------- CSV


@HOSTILE
@given(
    rows=st.lists(st.lists(texts, min_size=0, max_size=6), min_size=0, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(ENCODINGS),
    raw=st.binary(max_size=200),
    use_raw=st.booleans(),
)
def test_the_csv_reader_reads_or_refuses_in_words(
    rows: list[list[str]], delimiter: str, encoding: str, raw: bytes, use_raw: bool
) -> None:
    if use_raw:
        data = raw
    else:
        text = "\n".join(delimiter.join(row) for row in rows)
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
    try:
        table = read_csv_bytes(data, "fuzz.csv")
    except TableFileError as error:
        assert str(error).startswith("fuzz.csv: ")
    else:
        assert all(isinstance(cell, str) for row in table.rows for cell in row)
    try:
        read_audit_file("fuzz.csv", data)
    except UnreadableFile as error:
        assert str(error)


@HOSTILE
@given(
    values=st.dictionaries(st.sampled_from(sorted(PHONE_ANSWERS)), texts, max_size=4),
    auditor=texts,
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_an_audit_csv_of_random_values_is_imported_whole_or_not_at_all(
    world: AppContext,
    values: dict[str, str],
    auditor: str,
    encoding: str,
    delimiter: str,
) -> None:
    lines = phone_csv(auditor="Fuzz").splitlines()
    header, body = lines[0].split(","), [line.split(",") for line in lines[1:]]
    for row in body:
        if row[5] in values:
            row[6] = values[row[5]]
        row[4] = auditor or "Fuzz"
    text = "\n".join(
        delimiter.join(_quoted(cell, delimiter) for cell in row) for row in [header, *body]
    )
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    _import(world, "fuzz.csv", data)


def _quoted(cell: str, delimiter: str) -> str:
    if any(char in cell for char in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


# --------------------------------------------------------------------------- templates


def _writable(value: Any) -> Any:
    """What openpyxl can write: characters XML 1.0 cannot hold become Excel's _xHHHH_
    escapes (which calamine turns back into the character)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value


@HOSTILE
@given(
    answers=st.dictionaries(st.sampled_from(sorted(PHONE_ANSWERS)), cell_values, max_size=9),
    comments=st.dictionaries(st.sampled_from(sorted(PHONE_ANSWERS)), cell_values, max_size=3),
    header=st.fixed_dictionaries(
        {},
        optional={
            "B4": st.one_of(st.just(BRANCH), texts, cell_values),
            "B5": cell_values,
            "B6": st.one_of(st.times(), cell_values),
            "B7": st.one_of(texts, cell_values),
        },
    ),
    stray=st.lists(st.tuples(st.integers(1, 40), st.integers(1, 12), cell_values), max_size=4),
)
# Found by CI: a scale answer of 1e18 crashed the wording of its own refusal.
@example(answers={"answer.greeting": 1e18}, comments={}, header={}, stray=[])
def test_a_template_of_random_cells_is_imported_whole_or_not_at_all(
    world: AppContext,
    answers: dict[str, Any],
    comments: dict[str, Any],
    header: dict[str, Any],
    stray: list[tuple[int, int, Any]],
) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(TEMPLATE))
    sheet = workbook[layout.VISIT_SHEET]
    defaults = {"B4": BRANCH, "B5": date(2026, 11, 21), "B6": time(10, 15), "B7": "Fuzz"}
    for ref, value in {**defaults, **header}.items():
        sheet[ref] = _writable(value)
    filled = {**PHONE_ANSWERS, **answers}
    for row in range(layout.ITEMS_FIRST_ROW, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id in filled:
            sheet.cell(row, layout.ANSWER_COLUMN + 1).value = _writable(filled[item_id])
        if item_id in comments:
            sheet.cell(row, layout.COMMENT_COLUMN + 1).value = _writable(comments[item_id])
    for row, column, value in stray:
        sheet.cell(row, column).value = _writable(value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _import(world, "fuzz.xlsx", buffer.getvalue())


@HOSTILE
@given(
    position=st.integers(0, 10_000),
    flips=st.lists(st.integers(0, 255), min_size=1, max_size=8),
    cut=st.booleans(),
)
def test_a_damaged_template_is_rejected_or_imported_never_raised(
    world: AppContext, position: int, flips: list[int], cut: bool
) -> None:
    data = bytearray(TEMPLATE)
    start = position % len(data)
    for offset, value in enumerate(flips):
        data[(start + offset) % len(data)] ^= value or 1
    damaged = bytes(data[:start]) if cut else bytes(data)
    _import(world, "fuzz.xlsx", damaged)
    with contextlib.suppress(UnreadableFile):
        open_grid("fuzz.xlsx", 0, damaged)


# --------------------------------------------------------------------------- mapping


HEADER_WORDS = [
    "Store code",
    "Branch",
    "Tienda",
    "Mağaza kodu",
    "Visit date",
    "Fecha",
    "Auditor",
    "Inspector",
    "Item",
    "Answer",
    "Value",
    "Comment",
    "answer.rings",
    "call.tone",
    "Did the phone ring fewer than 4 times?",
    "",
]
headers = st.lists(st.one_of(st.sampled_from(HEADER_WORDS), texts), min_size=1, max_size=12)


@HOSTILE
@given(
    header=headers,
    body=st.lists(st.lists(cell_values, max_size=12), max_size=8),
    first_row=st.integers(1, 6),
    first_column=st.integers(1, 4),
    as_csv=st.booleans(),
)
def test_the_mapping_engine_drafts_reads_and_imports_whole_or_not_at_all(
    world: AppContext,
    header: list[str],
    body: list[list[Any]],
    first_row: int,
    first_column: int,
    as_csv: bool,
) -> None:
    checklist = world.catalogue.get(CHECKLIST)
    if as_csv:
        name = "agency.csv"
        lines = [header, *([_csv_text(v) for v in row] for row in body)]
        text = "\n".join(",".join(_quoted(cell, ",") for cell in line) for line in lines)
        data = text.encode("utf-8")
    else:
        name = "agency.xlsx"
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for row_offset, row in enumerate([header, *body]):
            for column_offset, value in enumerate(row):
                cell = sheet.cell(first_row + row_offset, first_column + column_offset)
                cell.value = _writable(value)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    try:
        profile, _ = suggest_profile(name, checklist, data=data)
    except AuditAppError:
        return  # no draft for a file like this: said in words
    result = read_with_profile(name, profile, checklist, data=data)
    assert all(str(issue) for issue in result.issues)

    def reader(file_name: str, content: bytes, names_branch: Any) -> Any:
        return read_with_profile(
            file_name, profile, checklist, data=content, names_branch=names_branch
        )

    _import(world, name, data, source=ImportSource(reader, profile))


def _csv_text(value: Any) -> str:
    text = "" if value is None else str(value)
    return re.sub(f"[^{re.escape(string.printable)}\u00a0-\uffff]", "", text)[:200]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods", ".csv"])
@HOSTILE
@given(raw=st.binary(max_size=400))
def test_random_bytes_are_refused_in_words_by_every_opener(suffix: str, raw: bytes) -> None:
    for data in (raw, b"PK\x03\x04" + raw):
        try:
            open_grid(f"fuzz{suffix}", 0, data)
        except UnreadableFile as error:
            assert str(error)
        try:
            read_audit_file(f"fuzz{suffix}", data)
        except UnreadableFile as error:
            assert str(error)
