"""Reading branch lists: the header row found over the data (never a data row that
happens to read ``Store``), columns guessed by synonyms with their letters, every row
below the header accounted for, doubts about people's names and numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_app.intake.branch_list.columns import field_key, guess_columns
from audit_app.intake.branch_list.doubts import DoubtCode, looks_like_person
from audit_app.intake.branch_list.reading import header_score, read_branch_sheet
from audit_app.intake.layouts.profile.matching import find_header_row, find_header_row_over_data
from tests.intake import branch_lists
from tests.intake.branch_lists import SHAPES, BranchListFile

STORE_IN_ROW_2 = [
    ["Unit", "Description", "Format", "Territory"],
    ["U-01", "Store Sitges", "Store", "Catalonia"],
    ["U-02", "Kiosk Reus", "Kiosk", "Catalonia"],
]


def test_a_data_row_reading_store_outscored_the_header_before() -> None:
    """The failing case as it was: row 2 holds two cells that read like headers, the real
    header one; the best-scoring row was row 2. Now the header above the data wins."""
    assert find_header_row(STORE_IN_ROW_2, header_score) == (1, 2)
    assert find_header_row_over_data(STORE_IN_ROW_2, header_score) == (0, 1)


def test_a_row_whose_text_recurs_below_is_data_not_header() -> None:
    rows = [
        ["Store list"],
        ["Code", "Store", "Region"],
        ["ES-01", "Gràcia", "Catalonia"],
        ["ES-02", "Store", "Catalonia"],
    ]
    # row 1 is a banner (one cell); row 2's 'Store' recurs below in its column, a header
    # cell never does, so the best-scoring row (row 2 here) is kept by the fallback
    assert find_header_row_over_data(rows, header_score) == (1, 3)
    data_first = [["ES-01", "Store", "North"], ["ES-02", "Store", "North"]]
    assert find_header_row_over_data(data_first, header_score) == (0, 1)


def test_a_repeated_header_row_does_not_disqualify_the_header() -> None:
    rows = [
        ["Code", "Name", "Region"],
        ["ES-01", "Gràcia", "Catalonia"],
        ["Code", "Name", "Region"],
        ["ES-02", "Reus", "Catalonia"],
    ]
    assert find_header_row_over_data(rows, header_score) == (0, 3)


@pytest.mark.parametrize("write", SHAPES, ids=lambda w: w.__name__)
def test_each_shape_guesses_its_columns_and_header(write: object, tmp_path: Path) -> None:
    made: BranchListFile = write(tmp_path)  # type: ignore[operator]
    sheet = read_branch_sheet(made.path)
    assert sheet.header_row == made.header_row
    assert {f: (g.letter, g.header) for f, g in sheet.columns.items()} == made.columns
    assert sheet.doubts == []


def test_every_row_below_the_header_is_accounted_for(tmp_path: Path) -> None:
    made = branch_lists.write_banner_list(tmp_path)
    sheet = read_branch_sheet(made.path)
    assert [row.row for row in sheet.rows] == [4, 5, 6, 10]
    assert [(s.row, s.reason.value, s.text) for s in sheet.skipped] == [
        (7, "blank", ""),
        (8, "separator", "— Balearic Islands —"),
        (9, "repeated_header", "Site Code | Store Name | Region | Area Manager | Status | Address"),
    ]
    assert sheet.rows_read == 7
    # the region merged over D4:D6 is read in every row, named by its top cell
    assert [row.cells["region"].value for row in sheet.rows[:3]] == ["Catalonia"] * 3
    assert sheet.rows[2].cells["region"].ref == "D4"


def test_camel_case_and_accents_name_fields() -> None:
    assert field_key("StoreCode") == "store code"
    assert field_key("Mağaza Kodu:") == "magaza kodu"
    header = ["Facility ID", "Outlet", "Area Manager", "Area", "Status"]
    guesses, problems = guess_columns(header, ["A", "B", "C", "D", "E"])
    assert problems == []
    assert {f: g.letter for f, g in guesses.items()} == {
        "code": "A",
        "name": "B",
        "area": "D",
        "status": "E",
        "manager": "C",
    }


def test_a_column_named_by_hand_wins_and_a_wrong_name_is_said() -> None:
    guesses, problems = guess_columns(
        ["Unit", "Description", "Store"], ["A", "B", "C"], {"name": "description", "kind": "X"}
    )
    assert (guesses["name"].letter, guesses["name"].how) == ("B", "given")
    assert problems == [
        "kind is not a field of a branch (code, name, region, area, country, address, status, "
        "language, manager, franchisee)"
    ]
    _, missing = guess_columns(["Unit"], ["A"], {"code": "Store no"})
    assert missing == ["no column 'Store no' for code in the header ('Unit')"]


def test_an_employee_sheet_raises_both_doubts(tmp_path: Path) -> None:
    made = branch_lists.write_employee_sheet(tmp_path)
    sheet = read_branch_sheet(made.path)
    assert {f: (g.letter, g.header) for f, g in sheet.columns.items()} == made.columns
    assert [(d.code, d.field, d.column) for d in sheet.doubts] == [
        (DoubtCode.PEOPLE_NAMES, "name", "B"),
        (DoubtCode.PEOPLE_SHEET, "name", "B"),
    ]
    assert "5 of 5, e.g. 'Ana Pérez'" in sheet.doubts[0].message
    assert "'Employee No', 'Job title'" in sheet.doubts[1].message


def test_a_name_column_confirmed_by_hand_keeps_only_the_value_doubt(tmp_path: Path) -> None:
    made = branch_lists.write_employee_sheet(tmp_path)
    sheet = read_branch_sheet(made.path, columns={"name": "Name"})
    assert [d.code for d in sheet.doubts] == [DoubtCode.PEOPLE_NAMES]


def test_numbers_where_names_belong_are_doubted(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("Store code,Store name,Region,Country\nA1,101,7,ES\nA2,102,7,ES\n")
    sheet = read_branch_sheet(path)
    assert [(d.code, d.field) for d in sheet.doubts] == [
        (DoubtCode.NUMBERS_FOR_NAMES, "name"),
        (DoubtCode.NUMBERS_FOR_NAMES, "region"),
    ]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Ana Pérez", True),
        ("Mehmet Ali Yılmaz", True),
        ("Ioana Popescu", True),
        ("Gràcia Nord", False),
        ("Ana Plaza", False),
        ("Palma Centre", False),
        ("Kadıköy", False),
        ("Maria", False),
        ("ES-01 Maria", False),
    ],
)
def test_what_reads_as_a_person(text: str, person: bool) -> None:
    assert looks_like_person(text) is person


def test_our_own_format_raises_no_doubt() -> None:
    """``name`` beside ``manager`` is the app's own list: store names, no warning."""
    demo = Path(__file__).resolve().parents[2] / "sample_data" / "demo" / "branches.csv"
    sheet = read_branch_sheet(demo)
    assert (len(sheet.rows), sheet.doubts) == (48, [])


def test_name_beside_a_manager_is_doubted_when_some_cells_are_people(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "Code,Name,Manager,Region,Country\n"
        "A1,Ana Pérez,Pau Roca,North,ES\n"
        "A2,Gràcia Nord,Pau Roca,North,ES\n"
        "A3,Reus Centre,Laia Vidal,North,ES\n",
        encoding="utf-8",
    )
    sheet = read_branch_sheet(path)
    assert [(d.code, d.column) for d in sheet.doubts] == [(DoubtCode.PEOPLE_SHEET, "B")]
    assert "but the sheet also has 'Manager'" in sheet.doubts[0].message


def test_the_list_is_found_behind_an_instructions_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Read me"
    notes.append(["This workbook lists our stores."])
    notes.append(["Update the Status column when a store closes."])
    stores = workbook.create_sheet("Store list")
    stores.append(["Store No", "Store", "Region", "Country"])
    stores.append(["12", "Vic", "Catalonia", "ES"])
    workbook.save(tmp_path / "two.xlsx")
    sheet = read_branch_sheet(tmp_path / "two.xlsx")
    assert (sheet.sheet, sheet.header_row) == ("Store list", 1)
    assert {f: g.header for f, g in sheet.columns.items()} == {
        "code": "Store No",
        "name": "Store",
        "region": "Region",
        "country": "Country",
    }
