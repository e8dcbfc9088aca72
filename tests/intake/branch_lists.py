"""Branch lists as chains and agencies keep them, written with openpyxl (or as CSV) for
tests: a merged title over the header, headers in English, Spanish, Catalan, Romanian
and Turkish, status columns with closed stores, separator and repeated header rows, an
employee sheet renamed by hand, and a data row whose cell reads ``Store``.

Each builder writes one file and returns what a correct reading gives: the branches
(whole), the guessed columns (field -> letter and header), the skipped rows by reason."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from audit_app.domain.audit import Branch


@dataclass(frozen=True)
class BranchListFile:
    path: Path
    header_row: int
    columns: dict[str, tuple[str, str]]
    """field -> (column letter, header text) the reader should guess."""
    branches: list[Branch]
    skipped: dict[str, int] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    closed_rows: tuple[int, ...] = ()


def _sheet_file(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    header_row: int = 1,
    first_column: int = 1,
    title: str | None = None,
    sheet_name: str = "Stores",
) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    if title:
        sheet.cell(row=1, column=first_column, value=title)
        last = get_column_letter(first_column + len(header) - 1)
        sheet.merge_cells(f"{get_column_letter(first_column)}1:{last}1")
    for offset, row in enumerate([header, *rows]):
        for column, value in enumerate(row):
            if value is not None and value != "":
                sheet.cell(row=header_row + offset, column=first_column + column, value=value)
    workbook.save(path)
    return path


def _branch(code: str, name: str, region: str, country: str, **more: Any) -> Branch:
    return Branch(code=code, name=name, region=region, country=country, **more)


def write_banner_list(folder: Path) -> BranchListFile:
    """English headers from column B, row 3, under a merged title; a region merged down
    over three stores; a blank row, a separator label and the header repeated; a store
    closed for refurbishment; no country column (``--country ES``)."""
    header = ["Site Code", "Store Name", "Region", "Area Manager", "Status", "Address"]
    rows: list[list[Any]] = [
        ["ES-CAT-01", "Gràcia", "Catalonia", "Núria Puig", "Open", "Carrer Gran 1"],
        ["ES-CAT-02", "Sants", "", "Núria Puig", "Open", "Carrer de Sants 40"],
        ["ES-CAT-03", "Sitges", "", "Pau Roca", "Closed - refurbishment", ""],
        [],
        ["— Balearic Islands —"],
        header,
        ["ES-BAL-01", "Palma Centre", "Balearics", "Marta Soler", "Active", "Plaça Major 2"],
    ]
    path = folder / "store_list_spring.xlsx"
    _sheet_file(path, header, rows, header_row=3, first_column=2, title="Store list, Spring")
    workbook = load_workbook(path)
    workbook.active.merge_cells("D4:D6")  # Catalonia over the three Catalan stores
    workbook.save(path)
    return BranchListFile(
        path=path,
        header_row=3,
        columns={
            "code": ("B", "Site Code"),
            "name": ("C", "Store Name"),
            "region": ("D", "Region"),
            "address": ("G", "Address"),
            "status": ("F", "Status"),
            "manager": ("E", "Area Manager"),
        },
        branches=[
            _branch("ES-CAT-01", "Gràcia", "Catalonia", "ES", manager="Núria Puig",
                    address="Carrer Gran 1"),
            _branch("ES-CAT-02", "Sants", "Catalonia", "ES", manager="Núria Puig",
                    address="Carrer de Sants 40"),
            _branch("ES-CAT-03", "Sitges", "Catalonia", "ES", manager="Pau Roca", active=False),
            _branch("ES-BAL-01", "Palma Centre", "Balearics", "ES", manager="Marta Soler",
                    address="Plaça Major 2"),
        ],
        skipped={"blank": 1, "separator": 1, "repeated_header": 1},
        constants={"country": "ES"},
        closed_rows=(6,),
    )  # fmt: skip


def write_storecode_csv(folder: Path) -> BranchListFile:
    """``StoreCode`` and ``Outlet`` in a semicolon CSV, countries written as names,
    ``Active``/``Inactive`` statuses."""
    path = folder / "outlets.csv"
    rows = [
        ["StoreCode", "Outlet", "Region", "Country", "Status"],
        ["RO-B-01", "Brașov Centru", "Transilvania", "Romania", "Active"],
        ["RO-B-02", "Sibiu Mall", "Transilvania", "România", "Inactive"],
        ["101", "Iași Palas", "Moldova", "RO", "Active"],
    ]
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";").writerows(rows)
    return BranchListFile(
        path=path,
        header_row=1,
        columns={
            "code": ("A", "StoreCode"),
            "name": ("B", "Outlet"),
            "region": ("C", "Region"),
            "country": ("D", "Country"),
            "status": ("E", "Status"),
        },
        branches=[
            _branch("RO-B-01", "Brașov Centru", "Transilvania", "RO"),
            _branch("RO-B-02", "Sibiu Mall", "Transilvania", "RO", active=False),
            _branch("101", "Iași Palas", "Moldova", "RO"),
        ],
        closed_rows=(3,),
    )


def write_facility_list(folder: Path) -> BranchListFile:
    """``Facility ID`` beside ``Facility Name``, ``Zone`` for the region, store numbers."""
    path = folder / "facilities.xlsx"
    _sheet_file(
        path,
        ["Facility ID", "Facility Name", "Zone", "Country"],
        [[4101, "Kadıköy Moda", "Istanbul Asia", "TR"], [4102, "Beşiktaş", "Istanbul", "TR"]],
        sheet_name="Facilities",
    )
    return BranchListFile(
        path=path,
        header_row=1,
        columns={
            "code": ("A", "Facility ID"),
            "name": ("B", "Facility Name"),
            "region": ("C", "Zone"),
            "country": ("D", "Country"),
        },
        branches=[
            _branch("4101", "Kadıköy Moda", "Istanbul Asia", "TR"),
            _branch("4102", "Beşiktaş", "Istanbul", "TR"),
        ],
    )


def write_catalan_list(folder: Path) -> BranchListFile:
    """Catalan headers, ``Oberta``/``Tancada``, no country column (``--country ES``)."""
    path = folder / "botigues.xlsx"
    _sheet_file(
        path,
        ["Codi botiga", "Nom de la botiga", "Regió", "Àrea", "Adreça", "Estat"],
        [
            ["CAT-01", "Girona Nord", "Catalunya", "Girona", "Carrer Nou 3", "Oberta"],
            ["CAT-02", "Lleida", "Catalunya", "Ponent", "", "Tancada"],
        ],
        sheet_name="Botigues",
    )
    return BranchListFile(
        path=path,
        header_row=1,
        columns={
            "code": ("A", "Codi botiga"),
            "name": ("B", "Nom de la botiga"),
            "region": ("C", "Regió"),
            "area": ("D", "Àrea"),
            "address": ("E", "Adreça"),
            "status": ("F", "Estat"),
        },
        branches=[
            _branch("CAT-01", "Girona Nord", "Catalunya", "ES", area="Girona",
                    address="Carrer Nou 3"),
            _branch("CAT-02", "Lleida", "Catalunya", "ES", area="Ponent", active=False),
        ],
        constants={"country": "ES"},
        closed_rows=(3,),
    )  # fmt: skip


def write_romanian_list(folder: Path) -> BranchListFile:
    """Romanian headers under a title, ``Deschis``/``Închis``, country and region given
    as constants."""
    path = folder / "magazine.xlsx"
    _sheet_file(
        path,
        ["Cod magazin", "Denumire magazin", "Județ", "Adresa", "Stare"],
        [
            ["RO-CJ-01", "Cluj Iulius", "Cluj", "Str. Alexandru Vaida Voevod 53", "Deschis"],
            ["RO-CJ-02", "Cluj Centru", "Cluj", "", "Închis"],
        ],
        header_row=2,
        title="Lista magazinelor",
    )
    return BranchListFile(
        path=path,
        header_row=2,
        columns={
            "code": ("A", "Cod magazin"),
            "name": ("B", "Denumire magazin"),
            "area": ("C", "Județ"),
            "address": ("D", "Adresa"),
            "status": ("E", "Stare"),
        },
        branches=[
            _branch("RO-CJ-01", "Cluj Iulius", "Transilvania", "RO", area="Cluj",
                    address="Str. Alexandru Vaida Voevod 53"),
            _branch("RO-CJ-02", "Cluj Centru", "Transilvania", "RO", area="Cluj", active=False),
        ],
        constants={"country": "RO", "region": "Transilvania"},
        closed_rows=(4,),
    )  # fmt: skip


def write_turkish_list(folder: Path) -> BranchListFile:
    """Turkish headers, ``Açık``/``Kapalı``, ``Türkiye`` for the country."""
    path = folder / "magazalar.xlsx"
    _sheet_file(
        path,
        ["Mağaza Kodu", "Mağaza Adı", "Bölge", "İl", "Ülke", "Durum"],
        [
            ["TR-34-01", "Kadıköy", "Marmara", "İstanbul", "Türkiye", "Açık"],
            ["TR-06-01", "Kızılay", "İç Anadolu", "Ankara", "Türkiye", "Kapalı"],
        ],
    )
    return BranchListFile(
        path=path,
        header_row=1,
        columns={
            "code": ("A", "Mağaza Kodu"),
            "name": ("B", "Mağaza Adı"),
            "region": ("C", "Bölge"),
            "area": ("D", "İl"),
            "country": ("E", "Ülke"),
            "status": ("F", "Durum"),
        },
        branches=[
            _branch("TR-34-01", "Kadıköy", "Marmara", "TR", area="İstanbul"),
            _branch("TR-06-01", "Kızılay", "İç Anadolu", "TR", area="Ankara", active=False),
        ],
        closed_rows=(3,),
    )


def write_spanish_list(folder: Path) -> BranchListFile:
    """Spanish headers, ``País`` written ``España``, ``Cerrada``."""
    path = folder / "tiendas.csv"
    rows = [
        ["Código tienda", "Nombre de la tienda", "Región", "Comarca", "Dirección", "País",
         "Estado"],
        ["ES-MAD-01", "Gran Vía", "Madrid", "Centro", "Gran Vía 32", "España", "Abierta"],
        ["ES-MAD-02", "Alcalá", "Madrid", "Este", "", "España", "Cerrada"],
    ]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return BranchListFile(
        path=path,
        header_row=1,
        columns={
            "code": ("A", "Código tienda"),
            "name": ("B", "Nombre de la tienda"),
            "region": ("C", "Región"),
            "area": ("D", "Comarca"),
            "address": ("E", "Dirección"),
            "country": ("F", "País"),
            "status": ("G", "Estado"),
        },
        branches=[
            _branch("ES-MAD-01", "Gran Vía", "Madrid", "ES", area="Centro", address="Gran Vía 32"),
            _branch("ES-MAD-02", "Alcalá", "Madrid", "ES", area="Este", active=False),
        ],
        closed_rows=(3,),
    )


STAFF = [
    ("ES-01", "Ana Pérez", "E-1001", "Store manager", "Catalonia", "ES"),
    ("ES-02", "Jordi Puig", "E-1002", "Sales assistant", "Catalonia", "ES"),
    ("ES-03", "María López", "E-1003", "Sales assistant", "Madrid", "ES"),
    ("RO-01", "Ioana Popescu", "E-1004", "Store manager", "Transilvania", "RO"),
    ("TR-01", "Mehmet Yılmaz", "E-1005", "Cashier", "Marmara", "TR"),
]


def write_employee_sheet(folder: Path) -> BranchListFile:
    """An employee sheet renamed by hand: ``Code`` (the store), ``Name`` (a person) beside
    ``Employee No`` and ``Job title``. Readable, but every doubt must be raised."""
    path = folder / "staff.xlsx"
    _sheet_file(
        path,
        ["Code", "Name", "Employee No", "Job title", "Region", "Country"],
        [list(row) for row in STAFF],
    )
    return BranchListFile(
        path=path,
        header_row=1,
        columns={
            "code": ("A", "Code"),
            "name": ("B", "Name"),
            "region": ("E", "Region"),
            "country": ("F", "Country"),
        },
        branches=[_branch(c, n, r, k) for c, n, _, _, r, k in STAFF],
    )


def write_store_in_data_row(folder: Path) -> BranchListFile:
    """The header names its columns in words no synonym knows but one (``Territory``);
    row 2 holds ``Store Sitges`` and a ``Store`` format, two cells that read like
    headers: the header is still row 1. Columns named by hand (``--column``)."""
    path = folder / "units.xlsx"
    _sheet_file(
        path,
        ["Unit", "Description", "Format", "Territory"],
        [
            ["U-01", "Store Sitges", "Store", "Catalonia"],
            ["U-02", "Kiosk Reus", "Kiosk", "Catalonia"],
            ["U-03", "Store Vic", "Shop in shop", "Catalonia"],
        ],
    )
    return BranchListFile(
        path=path,
        header_row=1,
        columns={
            "code": ("A", "Unit"),
            "name": ("B", "Description"),
            "region": ("D", "Territory"),
        },
        branches=[
            _branch("U-01", "Store Sitges", "Catalonia", "ES"),
            _branch("U-02", "Kiosk Reus", "Catalonia", "ES"),
            _branch("U-03", "Store Vic", "Catalonia", "ES"),
        ],
        constants={"country": "ES"},
    )


SHAPES = (
    write_banner_list,
    write_storecode_csv,
    write_facility_list,
    write_catalan_list,
    write_romanian_list,
    write_turkish_list,
    write_spanish_list,
)
"""The lists that import with at most constants, no column named by hand."""
