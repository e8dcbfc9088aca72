"""Importing branches from CSV and Excel: every row checked first, all or nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from audit_app.services.branches import BranchFileError, import_branches, list_branches
from audit_app.services.context import AppContext

HEADER = "code,name,region,area,country,language,manager,active\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_csv_with_bom_and_semicolons_imports(ctx: AppContext, tmp_path: Path) -> None:
    path = write(
        tmp_path / "b.csv",
        "code;name;region;country;language\nES-01;Gràcia;Catalonia;es;ca\nRO-01;Brașov;Transylvania;RO;ro\n",
        "utf-8-sig",
    )
    result = import_branches(ctx, path)
    assert (result.inserted, result.updated) == (2, 0)
    assert [(b.code, b.name, b.country) for b in list_branches(ctx)] == [
        ("ES-01", "Gràcia", "ES"),
        ("RO-01", "Brașov", "RO"),
    ]


def test_a_second_import_updates_changed_rows(ctx: AppContext, tmp_path: Path) -> None:
    import_branches(
        ctx, write(tmp_path / "a.csv", HEADER + "TR-01,Kadıköy,Istanbul,Anadolu,TR,tr,Ayşe,yes\n")
    )
    result = import_branches(
        ctx, write(tmp_path / "b.csv", HEADER + "TR-01,Kadıköy,Istanbul,Anadolu,TR,tr,Emre,no\n")
    )
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    branch = list_branches(ctx)[0]
    assert branch.manager == "Emre" and branch.active is False


def test_excel_imports(ctx: AppContext, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Name", "Region", "Country", "Active"])
    sheet.append(["TR-02", "Beşiktaş", "Istanbul", "TR", True])
    sheet.append([None, None, None, None, None])
    sheet.append([101, "Şişli", "Istanbul", "TR", "yes"])
    workbook.save(tmp_path / "branches.xlsx")
    result = import_branches(ctx, tmp_path / "branches.xlsx")
    assert result.inserted == 2
    assert {b.code for b in list_branches(ctx)} == {"TR-02", "101"}


def test_every_bad_row_is_named_and_nothing_is_imported(ctx: AppContext, tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.csv",
        HEADER
        + "ES-01,Gràcia,Catalonia,BCN,ES,ca,Núria,yes\n"
        + "ES-02,,Catalonia,BCN,ES,ca,Pau,yes\n"
        + "ES-03,Reus,Catalonia,TGN,Espanyola,ca,Laia,yes\n"
        + "ES-01,Gràcia again,Catalonia,BCN,ES,ca,Marc,perhaps\n",
    )
    with pytest.raises(BranchFileError) as caught:
        import_branches(ctx, path)
    message = str(caught.value)
    assert "row 3, column name" in message
    assert "row 4, column country" in message
    assert "row 5, column status ('active'): 'perhaps' is not a status" in message
    assert message.endswith("Nothing was imported.")
    assert list_branches(ctx) == []


def test_fields_the_file_lacks_are_asked_for(ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(BranchFileError) as caught:
        import_branches(ctx, write(tmp_path / "b.csv", "code,name\nES-01,Gràcia\n"))
    assert caught.value.codes == ("constant_needed", "constant_needed")
    assert (
        "the file has no country column: pass --country CODE (two letters: ES, RO, TR, GB…)"
        in str(caught.value)
    )
    assert "the file has no region column: pass --region NAME" in str(caught.value)


def test_a_file_that_is_not_text_is_named(ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("code,name,region,country\nES-01,Gr\xe0cia,Catalonia,ES\n".encode("latin-1"))
    with pytest.raises(Exception, match=r"latin1\.csv: not UTF-8 text"):
        import_branches(ctx, path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(Exception, match=r"broken\.xlsx: the workbook is damaged"):
        import_branches(ctx, broken)
