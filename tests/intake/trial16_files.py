"""Messy real-world-shaped files for a by-hand trial of issue #16 (agency exports, a monthly
QA workbook, a shelf audit, a two-level header, branch lists, a checklist sheet, hostile
cells). ``python -m tests.intake.trial16_files DIR`` writes them."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font


def agency_may(path: Path) -> None:
    """Date only in the file name, no auditor column, ids as ``Q759215 -`` / ``[759216]``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Results"
    ws["A1"] = "ACME Research – Mystery Shopping Programme"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:H1")
    ws["A2"] = "Confidential"
    ws.append([])
    ws.append(
        [
            "Shop Code",
            "Shop",
            "Evaluation Type",
            "Q759215 - Seconds before you were greeted",
            "Q759216 - Did the associate acknowledge you promptly and courteously?",
            "Q759217 - Eye contact and a smile?",
            "Q759218 - Was help offered?",
            "Q759219 - Brand attitude (1-5)",
            "Q759220 - Professional even when not at fault?",
            "Q759221 - If unsure, asked a manager?",
            "Q759222 - Thanked you?",
            "Shopper Comments",
        ]
    )
    rows = [
        [
            "ES-CAT-01",
            "Gràcia",
            "Routine Inspection",
            8,
            "Yes",
            "Yes",
            "Fatal",
            4,
            "Yes",
            "N/A - botiga tancada",
            "Yes",
            "ok",
        ],
        [
            "ES-CAT-02",
            "Sants",
            "Mystery Shop",
            "12",
            "Sí",
            "No",
            "Yes",
            3,
            "No: not their fault",
            "Yes",
            "Evet",
            "",
        ],
        [
            "TR-IST-01",
            "Kadıköy",
            "Routine Inspection",
            15.0,
            "Evet",
            "Hayır",
            "Yok - stok yok",
            5,
            "Evet",
            "Evet",
            "Evet",
            "Fine",
        ],
        ["Total", None, None, 11.6, None, None, None, 4, None, None, None, None],
    ]
    for row in rows:
        ws.append(row)
    wb.save(path)


def agency_june(path: Path) -> None:
    """Same programme, reworded headers, ids as ``[759215]`` at the end."""
    wb = Workbook()
    ws = wb.active
    ws.title = "June"
    ws.append(
        [
            "Shop Code",
            "Evaluation Type",
            "Date of visit",
            "How many seconds passed before a greeting? [759215]",
            "Acknowledged promptly & courteously [759216]",
            "Made eye contact and smiled [759217]",
            "Offered help [759218]",
            "Attitude on brand, 1 to 5 [759219]",
            "Stayed professional when not their fault [759220]",
            "Asked manager when unsure [759221]",
            "Said thank you [759222]",
        ]
    )
    ws.append(
        [
            "ES-CAT-01",
            "Routine Inspection",
            "7 noiembrie 2025",
            9,
            "Da",
            "Da",
            "Nu",
            4,
            "Da",
            "Da",
            "Da",
        ]
    )
    ws.append(
        [
            "ES-CAT-02",
            "Routine Inspection",
            "30 de novembre de 2025",
            9,
            "Sí",
            "Sí",
            "No",
            4,
            "Sí",
            "Sí",
            "Sí",
        ]
    )
    ws.append(
        [
            "TR-IST-01",
            "Routine Inspection",
            "Nov 30, 2025 14:30",
            9,
            "Evet",
            "Evet",
            "Hayır",
            4,
            "Evet",
            "Evet",
            "Evet",
        ]
    )
    ws.append(
        [
            "ES-CAT-03",
            "Routine Inspection",
            "3 Kasım 2025",
            9,
            "Yes",
            "Yes",
            "No",
            4,
            "Yes",
            "Yes",
            "Yes",
        ]
    )
    wb.save(path)


def monthly_qa(path: Path) -> None:
    """Questions in rows, a column per month, the store only in the sheet name."""
    wb = Workbook()
    ws = wb.active
    ws.title = "ES-CAT-01 Gràcia"
    ws.append(["Monthly QA – Returns desk"])
    ws.append([])
    ws.append(["#", "Question", "Jan-25", "Feb-25", "Mar-25", "Apr-25"])
    ws.append([None, "Store", "ES-CAT-01", "ES-CAT-01", "ES-CAT-01", "ES-CAT-01"])
    ws.append([None, "Auditor", "Laia", "Laia", "Jordi", "-"])
    ws.append(["1.1", "Returns desk is at the front of the store", "Yes", "Yes", "No", "-"])
    ws.append(["1.2", "Returns desk is clearly signed", "Yes", "No", "Yes", "-"])
    ws.append(["1.3", "Minutes waited at the desk", 3, 5, "12", "-"])
    ws.append([None, "Subtotal Desk", 0.9, 0.6, 0.5, None])
    ws.append(["2.1", "The return follows the standard process", "Yes", "Yes", "Yes", "-"])
    ws.append(["2.2", "Receipt rules are applied as the standard says", "Yes", "No", "Yes", "-"])
    ws.append(["2.3", "No-receipt rule is applied as the standard says", "No", "Yes", "Yes", "-"])
    ws.append(["2.4", "Return policy is explained", "Yes", "Yes", "Yes", "-"])
    ws.append(["3.1", "Refund goes to the original payment method", "Yes", "Yes", "Yes", "-"])
    ws.append(["3.2", "Days until the refund reaches the card", 3, 2, 4, "-"])
    ws.append(["4.1", "Employee does not blame or argue", "Yes", "Yes", "Yes", "-"])
    ws.append(["4.2", "Employee apologises or shows empathy", "Yes", "Yes", "Yes", "-"])
    ws.append(["4.3", "Employee thanks the customer", "Yes", "Yes", "No", "-"])
    ws.append([None, "TOTAL", 0.91, 0.85, 0.7, None])
    wb.save(path)


def shelf_audit(path: Path) -> None:
    """One row per product; store, date, inspector repeated; organic Y/N per product."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Shelf check"
    ws.append(
        [
            "Store",
            "Visit date",
            "Inspector",
            "Aisle",
            "Product",
            "Category",
            "Organic?",
            "Preservative free",
            "Labelled",
            "Origin shown",
            "Certs on file",
        ]
    )
    lines = [
        [
            "ES-CAT-01",
            "2025-05-03",
            "Marta",
            "A1",
            "Apples",
            "fresh",
            "Y",
            "Y",
            "Yes",
            "Yes",
            "Yes",
        ],
        ["ES-CAT-01", "2025-05-03", "Marta", "A1", "Pears", "fresh", "N", "Y", "Yes", "No", "Yes"],
        ["ES-CAT-01", "2025-05-03", "Marta", "A2", "Oats", "dry", "Y", "N", "Yes", "", "Yes"],
        ["ES-CAT-01", "2025-05-03", "Marta", "A2", "Rice", "dry", "", "Y", "Yes", "", "Yes"],
        ["ES-CAT-02", "2025-05-04", "Marta", "B1", "Kale", "fresh", "Y", "Y", "No", "Yes", "No"],
        ["ES-CAT-02", "2025-05-04", "Marta", "B1", "Leeks", "fresh", "Y", "N", "No", "Yes", "No"],
    ]
    for line in lines:
        ws.append(line)
    wb.save(path)


def merged_header(path: Path) -> None:
    """Two-level merged header: each question a group, Answer / Comment under each."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Phone"
    groups = [
        "Rings before the call is answered",
        "Greeting gives own name, company name and offers help",
        "Employee speaks clearly",
        "Tone is friendly",
        "Putting the caller on hold",
    ]
    top = ["Branch", "Visit Date", "Auditor"]
    sub = [None, None, None]
    for g in groups:
        top += [g, None]
        sub += ["Answer", "Comment"]
    ws.append(top)
    ws.append(sub)
    for col in range(4, 4 + 2 * len(groups), 2):
        ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + 1)
    for c in (1, 2, 3):
        ws.merge_cells(start_row=1, start_column=c, end_row=2, end_column=c)
    ws.append(
        ["ES-CAT-01", "2025-04-02", "Ana", 3, "c1", "Yes", "", "Yes", "", 4, "tone ok", "Never", ""]
    )
    ws.append(
        [
            "ES-CAT-02",
            "2025-04-03",
            "Ana",
            5,
            "",
            "No",
            "no name",
            "Yes",
            "",
            2,
            "",
            "Asked first",
            "held 2 min",
        ]
    )
    wb.save(path)


def branch_list_ro(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Magazine"
    ws.append(["Lista magazine 2025"])
    ws.append(["Cod magazin", "Denumire magazin", "Regiune", "Oraș", "Adresă", "Stare"])
    ws.append(
        ["RO-BUC-01", "Verde Natural Unirii", "București", "București", "Bd. Unirii 1", "activ"]
    )
    ws.append(
        [
            "RO-BUC-02",
            "Verde Natural Titan",
            "București",
            "București",
            "Bd. 1 Decembrie 12",
            "activ",
        ]
    )
    ws.append(
        [
            "RO-CLJ-01",
            "Verde Natural Cluj",
            "Transilvania",
            "Cluj",
            "Str. Memorandumului 3",
            "închis",
        ]
    )
    emp = wb.create_sheet("Angajați")
    emp.append(["Nume", "Magazin", "Funcție"])
    for name in ["Ion Popescu", "Maria Ionescu", "Andrei Georgescu", "Elena Dumitru"]:
        emp.append([name, "RO-BUC-01", "Vânzător"])
    wb.save(path)


def branch_list_tr(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Personel"
    ws.append(["Ad Soyad", "Mağaza", "Görev"])
    for name in ["Ayşe Yılmaz", "Mehmet Kaya", "Fatma Demir", "Ali Çelik", "Zeynep Şahin"]:
        ws.append([name, "TR-IST-01", "Satış"])
    ws2 = wb.create_sheet("Mağazalar")
    ws2.append(["Mağaza Kodu", "Mağaza Adı", "Bölge", "Ülke", "Adres"])
    ws2.append(["TR-IST-02", "Yeşil Doğal Beşiktaş", "Marmara", "TR", "Barbaros Blv. 5"])
    ws2.append(["TR-ANK-01", "Yeşil Doğal Kızılay", "İç Anadolu", "TR", "Atatürk Blv. 100"])
    wb.save(path)


LONG = "A" * 10_000


def checklist_sheet(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Mystery visit"
    ws.append(["Store audit checklist v3 – Head office"])
    ws.append(
        ["Section", "Ref", "Question", "Type", "Answers (points)", "Weight", "Critical", "Only if"]
    )
    ws.append(["Entrance", "E1", "Is the entrance clean?", "Yes/No", "", 2, "", ""])
    ws.append(["Entrance", "E2", "Was the door open?", "Yes/No", "", 0, "", ""])
    ws.append(
        [
            "Entrance",
            "E3",
            "If the door was closed, was there a sign with opening hours?",
            "Yes/No",
            "",
            1,
            "",
            "E2 = No",
        ]
    )
    long_label = (
        "Employee recommended at least two complementary products from the seasonal range, "
        "explaining the benefits of each and mentioning the loyalty programme discount for members"
    )
    ws.append(
        [
            "Service",
            "S1",
            "Which recommendation did the employee make?",
            "Multiple choice",
            f"{long_label} (10); Recommended one product (5); No recommendation (0)",
            3,
            "",
            "",
        ]
    )
    ws.append(
        ["Service", "S2", "Food safety: cold chain kept?", "Yes/No", "Yes=1; No=0", 1, "Yes", ""]
    )
    ws.append(["Service", "S3", "Comments", "Text", "", 0, "", ""])
    wb.save(path)


def hostile_bulk(path: Path) -> None:
    """A wide agency file with formulas, a 10,000-char cell, control chars, huge numbers,
    dates in 1900 and 2099."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(
        [
            "Store",
            "Visit date",
            "Auditor",
            "Rings before the call is answered",
            "Employee speaks clearly",
            "Tone is friendly",
            "Comment",
        ]
    )
    ws.append(["ES-CAT-01", "2025-03-01", '=HYPERLINK("http://x","Bob")', "=1+2", "Yes", 3, "ok"])
    ws.append(["ES-CAT-02", "1900-01-01", "Ann", 1e308, "Yes", 3, LONG])
    ws.append(["ES-CAT-03", "2099-12-31", "Ann", 3, "Yes", 10**30, "x"])
    ws.append(["ES-CAT-04", "2025-03-02", "A" * 10_000, -5, "Yes", 3, "y"])
    wb.save(path)


def hostile_csv(path: Path) -> None:
    """Control characters only a CSV can carry (openpyxl refuses them)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "Store",
                "Visit date",
                "Auditor",
                "Rings before the call is answered",
                "Employee speaks clearly",
            ]
        )
        w.writerow(["ES-CAT-01", "2025-03-01", "Ann\x07\x1b", "3", "Yes\x00"])
        w.writerow(["ES-CAT-02", "2025-03-01", "Bo\x0bb", "3\x0c", "Yes"])


def branch_list_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Facility ID", "Store Name", "Area", "Status"])
        w.writerow(["ES-CAT-05", "Verd Natural Girona", "Girona", "Open"])


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    agency_may(out / "Mystery Shop May 2025.xlsx")
    agency_june(out / "Mystery Shop Nov 2025 wave 2.xlsx")
    monthly_qa(out / "QA returns 2025.xlsx")
    shelf_audit(out / "shelf audit May.xlsx")
    merged_header(out / "phone two level.xlsx")
    branch_list_ro(out / "magazine RO.xlsx")
    branch_list_tr(out / "magazalar TR.xlsx")
    branch_list_csv(out / "facilities.csv")
    checklist_sheet(out / "store checklist.xlsx")
    hostile_bulk(out / "hostile.xlsx")
    hostile_csv(out / "hostile.csv")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
