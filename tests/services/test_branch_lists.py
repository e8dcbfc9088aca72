"""Importing branch lists as chains keep them: every generated shape stored whole from
the untouched file plus at most constants, doubts refused by ``strict``, the fields a
file lacks asked for, a dry run that writes nothing, all rows or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_app.domain.intake.model import count_by_reason
from audit_app.services.branch_lists import (
    BranchListOptions,
    import_branch_list,
    read_branch_list,
    read_branch_list_bytes,
)
from audit_app.services.branches import BranchFileError, list_branches
from audit_app.services.context import AppContext
from tests.intake import branch_lists
from tests.intake.branch_lists import SHAPES, BranchListFile


@pytest.mark.parametrize("write", SHAPES, ids=lambda w: w.__name__)
def test_each_shape_imports_whole_with_at_most_constants(
    write: object, ctx: AppContext, tmp_path: Path
) -> None:
    made: BranchListFile = write(tmp_path)  # type: ignore[operator]
    result = import_branch_list(ctx, made.path, BranchListOptions(constants=made.constants))
    assert (result.inserted, result.updated, result.unchanged) == (len(made.branches), 0, 0)
    assert list_branches(ctx) == sorted(made.branches, key=lambda b: b.code)
    read = result.branch_list
    assert read.closed_rows == made.closed_rows
    assert read.rows_read == len(made.branches) + sum(made.skipped.values())
    assert count_by_reason(list(read.skipped)) == made.skipped


def test_the_report_says_what_was_taken_for_what(tmp_path: Path) -> None:
    made = branch_lists.write_banner_list(tmp_path)
    read = read_branch_list(made.path, BranchListOptions(constants={"country": "es"}))
    assert read.report_lines() == [
        "header: sheet 'Stores', row 3",
        "  code       <- column B 'Site Code' (recognised)",
        "  name       <- column C 'Store Name' (recognised)",
        "  region     <- column D 'Region' (recognised)",
        "  address    <- column G 'Address' (recognised)",
        "  status     <- column F 'Status' (recognised)",
        "  manager    <- column E 'Area Manager' (recognised)",
        "  country    <- ES (given)",
        "rows: 7 read, 4 branches (1 closed, kept inactive), 1 skipped (blank), "
        "1 skipped (separator), 1 skipped (repeated_header)",
        "  skipped row 8 (separator row): — Balearic Islands —",
        "  skipped row 9 (header repeated): Site Code | Store Name | Region | Area Manager | "
        "Status | Address",
    ]
    assert read.to_dict()["columns"][0] == {
        "field": "code",
        "column": "B",
        "header": "Site Code",
        "how": "synonym",
    }


def test_a_file_without_a_country_asks_for_the_country(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_catalan_list(tmp_path)
    with pytest.raises(BranchFileError) as refused:
        import_branch_list(ctx, made.path)
    assert refused.value.codes == ("constant_needed",)
    assert (
        "the file has no country column: pass --country CODE (two letters: ES, RO, TR, GB…)"
        in str(refused.value)
    )
    assert list_branches(ctx) == []
    with pytest.raises(BranchFileError, match="--country 'Narnia' is not a two-letter"):
        import_branch_list(ctx, made.path, BranchListOptions(constants={"country": "Narnia"}))


def test_a_constant_fills_only_blank_cells(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "Store code,Store name,Region,Country\nA1,Reus,Catalonia,\nA2,Iași,Moldova,RO\n"
    )
    read = read_branch_list(path, BranchListOptions(constants={"country": "ES"}))
    assert [(b.code, b.country) for b in read.branches] == [("A1", "ES"), ("A2", "RO")]
    assert "  country    <- ES (given, for blank cells)" in read.report_lines()


def test_an_employee_sheet_warns_and_strict_refuses(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_employee_sheet(tmp_path)
    with pytest.raises(BranchFileError) as refused:
        import_branch_list(ctx, made.path, BranchListOptions(strict=True))
    assert refused.value.codes == ("column_doubted", "column_doubted")
    assert "reads like people's names (5 of 5" in str(refused.value)
    assert list_branches(ctx) == []
    read = read_branch_list(made.path)
    warnings = [line for line in read.report_lines() if line.startswith("warning: ")]
    assert len(warnings) == 2 and "is this a list of staff?" in warnings[0]


def test_a_bad_row_names_its_cell_and_nothing_is_written(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_turkish_list(tmp_path)
    from openpyxl import load_workbook

    workbook = load_workbook(made.path)
    workbook.active["F3"] = "Tadilatta"  # under refurbishment: not a status we know
    workbook.active["A4"] = "TR 35 01"
    workbook.active["B4"] = "İzmir"
    workbook.active["C4"] = "Ege"
    workbook.active["E4"] = "TR"
    workbook.active["A5"] = "tr-34-01"
    workbook.active["B5"] = "Moda"
    workbook.active["C5"] = "Marmara"
    workbook.active["E5"] = "TR"
    workbook.save(made.path)
    with pytest.raises(BranchFileError) as refused:
        import_branch_list(ctx, made.path)
    assert refused.value.problems == (
        "row 3, column status (cell F3, 'Durum'): 'Tadilatta' is not a status: write open or "
        "active, closed or inactive",
        "row 4, column code (cell A4, 'Mağaza Kodu'): use letters, digits, '-', '_' or '.' "
        "(no spaces)",
        "row 5: code tr-34-01 repeats row 2 (codes are compared ignoring case and width)",
    )
    assert refused.value.codes == ("branch_invalid", "branch_invalid", "branch_twice")
    assert list_branches(ctx) == []


def test_a_dry_run_counts_and_writes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_facility_list(tmp_path)
    first = import_branch_list(ctx, made.path, dry_run=True)
    assert (first.inserted, first.updated, first.unchanged, first.dry_run) == (2, 0, 0, True)
    assert list_branches(ctx) == []
    import_branch_list(ctx, made.path)
    again = import_branch_list(ctx, made.path, dry_run=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_the_data_row_store_case_imports_with_columns_named(
    ctx: AppContext, tmp_path: Path
) -> None:
    made = branch_lists.write_store_in_data_row(tmp_path)
    with pytest.raises(BranchFileError) as refused:
        import_branch_list(ctx, made.path, BranchListOptions(constants=made.constants))
    assert refused.value.codes == ("column_missing", "column_missing")
    assert "no column for the branch codes in the header (row 1; columns recognised: " in str(
        refused.value
    )
    options = BranchListOptions(
        constants=made.constants, columns={"code": "Unit", "name": "Description"}
    )
    result = import_branch_list(ctx, made.path, options)
    assert result.branch_list.header_row == 1
    assert list_branches(ctx) == made.branches


def test_an_upload_is_named_by_its_file_name(tmp_path: Path) -> None:
    made = branch_lists.write_spanish_list(tmp_path)
    read = read_branch_list_bytes("tiendas.csv", made.path.read_bytes())
    assert list(read.branches) == made.branches
    with pytest.raises(BranchFileError) as refused:
        read_branch_list_bytes("mine.csv", b"Store code,Store name\nES-01,Reus\n")
    assert str(refused.value).startswith("mine.csv: the file has no country column")


def test_a_partial_list_updates_only_the_fields_it_holds(ctx: AppContext, tmp_path: Path) -> None:
    """A list of codes, names and regions must not wipe the manager, franchisee, language,
    area and address a fuller list stored, nor reopen a closed store (trial #16)."""
    full = tmp_path / "full.csv"
    full.write_text(
        "code,name,region,area,country,language,manager,franchisee,address,active\n"
        "RO-BUC-01,Unirii,South,București,RO,ro,Irina,Buc SRL,Bd. Unirii 27,yes\n"
        "RO-BUC-02,Titan,South,București,RO,ro,Elena,Buc SRL,Bd. Titan 1,no\n"
    )
    import_branch_list(ctx, full)
    partial = tmp_path / "partial.csv"
    partial.write_text("Cod magazin,Denumire magazin,Regiune\nRO-BUC-01,Unirii Nou,Sud\n")
    options = BranchListOptions(constants={"country": "RO"})
    preview = import_branch_list(ctx, partial, options, dry_run=True)
    assert (preview.inserted, preview.updated, preview.unchanged) == (0, 1, 0)
    result = import_branch_list(ctx, partial, options)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    stored = {b.code: b.model_dump() for b in list_branches(ctx)}
    assert stored["RO-BUC-01"] == {
        "code": "RO-BUC-01",
        "name": "Unirii Nou",
        "region": "Sud",
        "area": "București",
        "country": "RO",
        "language": "ro",
        "manager": "Irina",
        "franchisee": "Buc SRL",
        "address": "Bd. Unirii 27",
        "active": True,
    }
    again = import_branch_list(ctx, partial, options)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
