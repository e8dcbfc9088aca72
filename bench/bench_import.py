"""Excel import (#3): a 5,000-visit x 60-item bulk workbook against python-calamine's own read
of it and 1,000 single-visit workbooks one after another (per engine: the import writes to
the database), and writing fill-in templates (pure, measured once).

Targets (#14): bulk import <= 5x the raw read and <= 400 MiB peak (it was ~21x and 648 MiB
before the intake pipeline); <= 20 ms per single-visit file; <= 30 ms per template written.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import Figure
from bench.databases import fresh_database_url

VISITS = 5_000
ITEMS = 60
SINGLES = 1_000
ROOT = Path(__file__).resolve().parent.parent


def bench_checklist_yaml() -> str:
    """A 60-item checklist made of the standard ones' items, ids prefixed to stay unique."""
    import yaml

    from audit_app.checklists import Catalogue
    from audit_app.config import default_checklists_dir

    sections, count = [], 0
    for checklist in Catalogue.from_folder(default_checklists_dir()).latest():
        for section in checklist.sections:
            data = section.model_dump(mode="json", exclude_none=True)
            data["id"] = f"{checklist.id}-{section.id}"
            data.pop("weight", None)
            items = []
            for item in data["items"]:
                if count == ITEMS:
                    break
                item["id"] = f"{checklist.id}.{item['id']}"
                items.append(item)
                count += 1
            if items:
                data["items"] = items
                sections.append(data)
    document = {
        "id": "bench60",
        "version": 1,
        "title": {"en": "Bench 60"},
        "languages": ["en"],
        "critical_rule": {"cap": 59},
        "sections": sections,
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def _answer(item: object, n: int) -> object:
    """A plausible, valid raw answer as a manager would type it."""
    kind = item.type  # type: ignore[attr-defined]
    if kind == "yes_no":
        return "Yes" if n % 7 else "No"
    if kind == "scale":
        return item.min + n % (item.max - item.min + 1)  # type: ignore[attr-defined]
    if kind == "choice":
        return item.options[n % len(item.options)].value  # type: ignore[attr-defined]
    if kind == "percentage":
        return round(0.8 + (n % 20) / 100, 2)  # a fraction, as Excel keeps 91 %
    if kind == "number":
        return float(item.target + n % 5)  # type: ignore[attr-defined]
    return "note" if n % 3 == 0 else None


def write_bulk(path: Path, checklist: object, branches: list[str]) -> None:
    """The bulk template layout, written with openpyxl's write-only mode (fast)."""
    from openpyxl import Workbook

    from audit_app.intake import templates as layout

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(layout.BULK_SHEET)
    items = checklist.items  # type: ignore[attr-defined]
    sheet.append([f"{checklist.id} bulk"])  # type: ignore[attr-defined]
    sheet.append([])
    sheet.append([*layout.BULK_VISIT_COLUMNS, *(i.text["en"] for i in items)])
    sheet.append([*layout.BULK_VISIT_COLUMNS, *(i.id for i in items)])
    start = datetime(2026, 1, 5, 9, 0)
    for n in range(VISITS):
        visit = [
            branches[n % len(branches)],
            start + timedelta(minutes=17 * n),
            None,
            f"Auditor {n % 40}",
            None,
            "mystery_shop",
        ]
        sheet.append(visit + [_answer(item, n + k) for k, item in enumerate(items)])
    meta = workbook.create_sheet(layout.META_SHEET)
    for row in layout.TemplateMeta(
        "bulk",
        checklist.id,
        checklist.version,  # type: ignore[attr-defined]
        checklist.content_hash,
        "en",
    ).rows():  # type: ignore[attr-defined]
        meta.append(list(row))
    workbook.save(path)


def write_single(checklist: object, branch: str, when: datetime, n: int) -> bytes:
    """One filled single-visit workbook in the template's layout (write-only, fast)."""
    from openpyxl import Workbook

    from audit_app.intake import templates as layout

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(layout.VISIT_SHEET)
    for _ in range(layout.HEADER_FIRST_ROW - 1):
        sheet.append([])
    header = {
        "branch": branch,
        "visit_date": when,
        "auditor": f"Auditor {n % 9}",
        "kind": "mystery_shop",
    }
    for field in layout.HEADER_FIELDS:
        sheet.append([layout.HEADER_LABELS[field], header.get(field)])
    for _ in range(layout.ITEMS_HEADER_ROW - layout.HEADER_FIRST_ROW - len(layout.HEADER_FIELDS)):
        sheet.append([])
    sheet.append(list(layout.ITEM_COLUMNS))
    for k, item in enumerate(checklist.items):  # type: ignore[attr-defined]
        sheet.append(["", item.id, item.text["en"], "", _answer(item, n + k), None])
    meta = workbook.create_sheet(layout.META_SHEET)
    for row in layout.TemplateMeta(
        "single",
        checklist.id,
        checklist.version,  # type: ignore[attr-defined]
        checklist.content_hash,
        "en",
    ).rows():  # type: ignore[attr-defined]
        meta.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CHILD = """
import json, resource, sys, time
from pathlib import Path
from audit_app.config import Settings
from audit_app.services.context import open_context
from audit_app.services.imports import import_files
from python_calamine import CalamineWorkbook
folder, book, url = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
ctx = open_context(
    Settings(data_dir=folder / "data", database_url=url, checklists_dir=folder / "checklists")
)
start = time.perf_counter()
wb = CalamineWorkbook.from_path(str(book))
rows = wb.get_sheet_by_name("Visits").to_python(skip_empty_area=False)
read = time.perf_counter() - start
del rows, wb
start = time.perf_counter()
[checked] = import_files(ctx, [book], dry_run=True)
dry = time.perf_counter() - start
assert checked.status == "checked", [str(e) for e in checked.problems[:5]]
del checked
start = time.perf_counter()
[result] = import_files(ctx, [book])
total = time.perf_counter() - start
assert result.status == "imported", [str(e) for e in result.problems[:5]]
assert result.rows.adds_up and result.rows.imported == result.rows.read, result.rows
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"read": read, "dry": dry, "import": total, "peak": peak, "added": result.added}))
"""


def _checklists_folder(folder: Path) -> Path:
    """The standard checklists and the 60-item bench checklist in ``folder/checklists``."""
    from audit_app.config import default_checklists_dir

    checklists = folder / "checklists"
    checklists.mkdir()
    for path in default_checklists_dir().glob("*.yaml"):
        (checklists / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (checklists / "bench60.v1.yaml").write_text(bench_checklist_yaml(), encoding="utf-8")
    return checklists


def run(engine: str) -> list[Figure]:
    from audit_app.config import Settings
    from audit_app.domain.audit import Branch
    from audit_app.services.branches import save_branches
    from audit_app.services.context import open_context
    from audit_app.services.imports import import_bytes

    folder = Path(tempfile.mkdtemp(prefix="audit-bench-import-"))
    checklists = _checklists_folder(folder)
    url = fresh_database_url(engine, folder / "data")
    settings = Settings(data_dir=folder / "data", database_url=url, checklists_dir=checklists)
    ctx = open_context(settings)
    codes = [f"B{n:04d}" for n in range(1_000)]
    save_branches(
        ctx, [Branch(code=c, name=f"Branch {c}", region="R", country="ES") for c in codes]
    )
    checklist = ctx.catalogue.get("bench60")
    figures: list[Figure] = []

    book = folder / "bulk.xlsx"
    write_bulk(book, checklist, codes)
    ctx.engine.dispose()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(book), url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if child.returncode:
        raise RuntimeError(child.stderr[-2000:])
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    ratio = measured["import"] / measured["read"]
    detail = f"{VISITS} visits x {ITEMS} items = {VISITS * ITEMS:,} answers"
    figures += [
        Figure(
            "import: calamine read of the bulk workbook", measured["read"], "s", "baseline", detail
        ),
        Figure(
            "import: whole bulk import (read+check+score+write)",
            measured["import"],
            "s",
            "<= 5x read",
            f"{measured['added']} audits added",
            met=ratio <= 5,
        ),
        Figure("import: bulk ratio to the raw read", ratio, "x", "<= 5", "", met=ratio <= 5),
        Figure(
            "import: bulk check only (--dry-run) to the raw read",
            measured["dry"] / measured["read"],
            "x",
            "-",
            f"read + check + score, no write: {measured['dry']:.2f} s",
        ),
        Figure(
            "import: bulk peak memory",
            measured["peak"],
            "MiB",
            "<= 400",
            "whole process",
            met=measured["peak"] <= 400,
        ),
    ]

    ctx = open_context(settings)
    phone = ctx.catalogue.get("greeting_phone")
    start_time = datetime(2025, 1, 1, 8, 0)  # visits are refused after tomorrow (#15)
    files = [
        write_single(phone, codes[n], start_time + timedelta(hours=n), n) for n in range(SINGLES)
    ]
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    for data in files:
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Audit").to_python()
    raw = (time.perf_counter() - start) / SINGLES
    start = time.perf_counter()
    statuses = [import_bytes(ctx, f"visit{n}.xlsx", data).status for n, data in enumerate(files)]
    per_file = (time.perf_counter() - start) / SINGLES
    assert statuses.count("imported") == SINGLES, statuses[:3]
    figures += [
        Figure("import: single-visit raw read", raw * 1000, "ms", "baseline", "per file"),
        Figure(
            "import: single-visit workbook, whole import",
            per_file * 1000,
            "ms",
            "<= 20",
            f"{SINGLES} files one after another",
            met=per_file <= 0.020,
        ),
    ]

    ctx.engine.dispose()
    return figures


def run_pure() -> list[Figure]:
    from audit_app.checklists import Catalogue
    from audit_app.config import default_checklists_dir
    from audit_app.domain.audit import Branch
    from audit_app.intake.templates import write_template

    phone = Catalogue.from_folder(default_checklists_dir()).get("greeting_phone")
    branches = [
        Branch(code=f"B{n:04d}", name=f"B{n:04d}", region="R", country="ES") for n in range(50)
    ]
    runs = 50
    start = time.perf_counter()
    for _ in range(runs):
        write_template(phone, branches)
    per_template = (time.perf_counter() - start) / runs
    return [
        Figure(
            "template: write a fill-in workbook",
            per_template * 1000,
            "ms",
            "<= 30",
            f"{phone.id}, 50 branches in the dropdown",
            met=per_template <= 0.030,
        )
    ]
