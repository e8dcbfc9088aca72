"""Write the demo chain to sample_data/demo/ as CSV files.

    python sample_data/generate.py [OUTPUT_DIR]

The data comes from audit_app.demo (fixed seed and period), the same data that
`audit-app demo` loads, so the files here always match what the app shows. A test checks
that the committed files equal a fresh run.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from audit_app.checklists import Catalogue
from audit_app.config import default_checklists_dir
from audit_app.demo import DemoData, generate
from audit_app.domain.answers import encode_value

HERE = Path(__file__).resolve().parent
AUDIT_COLUMNS = [
    "audit_ref",
    "branch_code",
    "checklist_id",
    "checklist_version",
    "kind",
    "channel",
    "visited_at",
    "auditor",
    "language",
    "item_id",
    "value",
    "comment",
]


def write_demo_files(data: DemoData, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    branches_path = folder / "branches.csv"
    with branches_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        fields = list(data.branches[0].model_dump())
        writer.writerow(fields)
        for branch in data.branches:
            row = branch.model_dump()
            writer.writerow(
                ["yes" if row[f] is True else "no" if row[f] is False else row[f] for f in fields]
            )
    audits_path = folder / "audits.csv"
    with audits_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(AUDIT_COLUMNS)
        for number, record in enumerate(data.audits, start=1):
            visit = record.visit
            for answer in record.answers:
                if not answer.answered and answer.comment is None:
                    continue
                writer.writerow(
                    [
                        f"DEMO-{number:05d}",
                        visit.branch_code,
                        visit.checklist_id,
                        visit.checklist_version,
                        visit.kind,
                        visit.channel or "",
                        visit.visited_at.isoformat(timespec="minutes"),
                        visit.auditor,
                        visit.language,
                        answer.item_id,
                        "na" if answer.na else encode_value(answer) or "",
                        answer.comment or "",
                    ]
                )
    return [branches_path, audits_path]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "demo"
    catalogue = Catalogue.from_folder(default_checklists_dir())
    data = generate(catalogue.latest())
    for path in write_demo_files(data, folder):
        print(f"wrote {path}")
    print(f"{len(data.branches)} branches, {len(data.audits)} audits")


if __name__ == "__main__":
    main()
