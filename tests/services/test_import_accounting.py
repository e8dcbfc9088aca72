"""Every row read is accounted for: imported, already present, skipped (row, reason, text)
or rejected, on real-world-shaped files (``tests/intake/corpus.py``), on both engines.

A row that names a known branch and holds answers is never left out by a guess; only an
explicit rule of the profile leaves it out, and it is listed. An import is identified by
the file, the mapping profile and the checklist version."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit_app.intake.layouts.profile import parse_profile, save_profile
from audit_app.services.audits import list_scores
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.imports import FileImport, import_files, import_key
from tests.helpers import database_snapshot
from tests.intake import corpus

REPO = Path(__file__).resolve().parents[2]
BUILDERS: list[tuple[str, Callable[[Path], list[corpus.Case]], int]] = [
    ("status column, closed later", corpus.status_column, 0),
    ("status column, explicit rule", corpus.status_column, 1),
    ("business names like subtotals", corpus.business_names, 0),
    ("percent column with typos", corpus.percent_typos, 0),
    ("percent column told", corpus.percent_typos, 1),
]


def _prepare(ctx: AppContext, case: corpus.Case) -> str | None:
    save_branches(ctx, case.branches)
    if case.profile is None:
        return None
    save_profile(parse_profile(case.profile), ctx.settings.resolved_mappings_dir)
    return str(case.profile["name"])


def _accounting(result: FileImport) -> dict[str, Any]:
    return {
        "status": result.status,
        "rows": result.rows.to_dict(),
        "skipped": [(r.sheet, r.row, r.reason.value, r.text) for r in result.skipped],
        "codes": [p.code.value for p in result.problems],
    }


def _expected(case: corpus.Case) -> dict[str, Any]:
    e = case.expected
    return {"status": e.status, "rows": e.rows, "skipped": e.skipped, "codes": e.codes}


@pytest.mark.parametrize(("label", "builder", "index"), BUILDERS, ids=[b[0] for b in BUILDERS])
def test_every_row_of_a_real_world_file_is_accounted_for(
    ctx: AppContext,
    tmp_path: Path,
    label: str,
    builder: Callable[[Path], list[corpus.Case]],
    index: int,
) -> None:
    case = builder(tmp_path)[index]
    mapping = _prepare(ctx, case)
    before = database_snapshot(ctx)
    [checked] = import_files(ctx, [case.path], mapping_name=mapping, dry_run=True)
    assert database_snapshot(ctx) == before
    expected = _expected(case)
    assert _accounting(checked) == {
        **expected,
        "status": "checked" if expected["status"] == "imported" else expected["status"],
    }
    [result] = import_files(ctx, [case.path], mapping_name=mapping)
    assert _accounting(result) == expected, [str(p) for p in result.problems]
    assert result.rows.adds_up
    stored = list_scores(ctx).to_dict("records")
    if result.status == "rejected":
        assert database_snapshot(ctx) == before
        return
    assert len(stored) == result.added == case.expected.rows["imported"]  # one row per visit
    assert sorted(a.audit_id for a in result.audits) == sorted(s["audit_id"] for s in stored)


def test_a_store_closed_after_its_visit_keeps_its_scored_visit(
    ctx: AppContext, tmp_path: Path
) -> None:
    case = corpus.status_column(tmp_path)[0]
    [result] = import_files(ctx, [case.path], mapping_name=_prepare(ctx, case))
    [kirkgate] = [a for a in result.audits if a.branch_code == "UK-02"]
    assert (kirkgate.rows, kirkgate.sheet) == ((5,), "Wave 3")
    assert kirkgate.overall is not None and kirkgate.overall < 50  # the POOR answers, scored


def test_businesses_named_like_subtotals_are_imported(ctx: AppContext, tmp_path: Path) -> None:
    [case] = corpus.business_names(tmp_path)
    [result] = import_files(ctx, [case.path], mapping_name=_prepare(ctx, case))
    assert sorted(a.branch_code for a in result.audits) == ["B-1", "B-2", "B-3", "B-4"]


def test_an_unknown_business_with_answers_is_refused_by_name_not_skipped(
    ctx: AppContext, tmp_path: Path
) -> None:
    """Without the branch in the list, "Total Wine & More" is no subtotal (its row has a
    date and answers): the file is refused naming the row, not quietly shortened."""
    [case] = corpus.business_names(tmp_path)
    save_branches(ctx, case.branches[1:])
    save_profile(parse_profile(case.profile), ctx.settings.resolved_mappings_dir)
    [result] = import_files(ctx, [case.path], mapping_name="inspections")
    assert result.status == "rejected"
    assert [(p.code.value, p.cell) for p in result.problems] == [("branch_unknown", "A2")]
    assert result.rows.to_dict() == {
        "read": 8, "imported": 0, "already_present": 0, "skipped": 4, "rejected": 4,
    }  # fmt: skip


def test_fractions_and_percentages_in_one_column_name_the_cells(
    ctx: AppContext, tmp_path: Path
) -> None:
    case = corpus.percent_typos(tmp_path)[0]
    [result] = import_files(ctx, [case.path], mapping_name=_prepare(ctx, case))
    [problem] = result.problems
    assert (problem.sheet, problem.cell, problem.row) == ("Shelf audit", "D12", 12)
    assert problem.message == (
        "column D 'Organic fresh' holds fractions (0.85 at D2, …) and percentages "
        "(1.6 at D12, 2.6 at D30): say how this column is meant in the mapping profile, "
        "percent_columns: {'Organic fresh': fraction} (0.9 is 90 %) or percent (0.9 is 0.9 %)"
    )


def test_fractions_told_for_the_column_read_the_typos_as_written(
    ctx: AppContext, tmp_path: Path
) -> None:
    """``fraction`` reads 0.9 as 90 % and leaves numbers above 1 as written (1.6 %)."""
    case = corpus.percent_typos(tmp_path)[0]
    told = {**case.profile, "name": "shelf-fractions",
            "percent_columns": {"Organic fresh": "fraction"}}  # fmt: skip
    save_branches(ctx, case.branches)
    save_profile(parse_profile(told), ctx.settings.resolved_mappings_dir)
    [result] = import_files(ctx, [case.path], mapping_name="shelf-fractions")
    assert result.status == "imported" and result.rows.imported == 31
    scores = {s["branch_code"]: s for s in list_scores(ctx).to_dict("records")}
    assert scores["S-11"]["overall"] < scores["S-12"]["overall"]  # row 12 held 1.6 (%)


def test_one_workbook_through_two_profiles_is_two_imports(ctx: AppContext, tmp_path: Path) -> None:
    path, in_person, calls, world = corpus.two_audit_types(tmp_path)
    save_branches(ctx, world)
    folder = ctx.settings.resolved_mappings_dir
    for profile in (in_person, calls):
        save_profile(parse_profile(profile), folder)
    [visits] = import_files(ctx, [path], mapping_name="june-visits")
    [phone] = import_files(ctx, [path], mapping_name="june-calls")
    assert (visits.status, visits.added, phone.status, phone.added) == (
        "imported",
        3,
        "imported",
        3,
    )
    assert visits.content_hash == phone.content_hash and visits.import_key != phone.import_key
    [again] = import_files(ctx, [path], mapping_name="june-calls")
    assert again.status == "already_imported"
    assert again.audit_ids() == [a.audit_id for a in phone.audits]
    assert again.previous_import is not None  # the import log keeps where the rows went
    assert again.previous_import["mapping"] == "june-calls"
    assert again.previous_import["rows"] == {
        "read": 3, "imported": 3, "already_present": 0, "skipped": 0,
    }  # fmt: skip
    assert again.rows.to_dict() == {
        "read": 3, "imported": 0, "already_present": 3, "skipped": 0, "rejected": 0,
    }  # fmt: skip
    # the profile edited (another reading of the same file) is another import; its visits
    # are found already present by their key
    edited = parse_profile({**calls, "description": "June calls, second look"})
    save_profile(edited, folder)
    [reread] = import_files(ctx, [path], mapping_name="june-calls")
    assert (reread.status, reread.added, reread.already_present) == ("imported", 0, 3)
    assert reread.rows.already_present == 3
    assert len(list_scores(ctx)) == 6


def test_the_identity_is_file_profile_and_checklist_version(tmp_path: Path) -> None:
    profile = parse_profile(corpus.percent_typos(tmp_path)[0].profile)
    renamed = profile.model_copy(update={"name": "shelf-2"})
    edited = profile.model_copy(update={"percent_scale": "fraction"})
    keys = {
        import_key("a" * 64, None, []),
        import_key("b" * 64, None, []),
        import_key("a" * 64, profile, ["sourcing@1"]),
        import_key("a" * 64, profile, ["sourcing@2"]),
        import_key("a" * 64, renamed, ["sourcing@1"]),
        import_key("a" * 64, edited, ["sourcing@1"]),
    }
    assert len(keys) == 6
    assert import_key("a" * 64, profile, ["x@1", "y@1"]) == import_key(
        "a" * 64, profile, ["y@1", "x@1", "x@1"]
    )


def test_the_cli_json_lists_every_skipped_row_and_the_counts_add_up(
    ctx: AppContext, tmp_path: Path
) -> None:
    case = corpus.status_column(tmp_path)[0]
    _prepare(ctx, case)
    profile_file = tmp_path / "wave3.yaml"
    profile_file.write_text(yaml.safe_dump(case.profile), encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit_app", "import", str(case.path), *args],
            capture_output=True,
            text=True,
            cwd=REPO,
        )

    shown = run("--mapping", str(profile_file))
    assert shown.returncode == 0, shown.stderr
    assert "rows: 12 read = 4 imported + 0 already present + 8 skipped + 0 rejected" in shown.stdout
    assert "Wave 3 row 9: subtotal row 'Subtotal North'" in shown.stdout
    [data] = json.loads(run("--mapping", str(profile_file), "--json").stdout)["files"]
    assert data["status"] == "already_imported"
    assert set(data) >= {"file", "status", "rows", "skipped", "problems", "audits"}
    rows = data["rows"]
    assert rows["read"] == sum(rows[k] for k in ("imported", "already_present", "skipped",
                                                 "rejected"))  # fmt: skip
    assert data["skipped"][0] == {
        "sheet": "Wave 3", "row": 6, "reason": "closed", "text": "Closed",
    }  # fmt: skip
    assert len(data["audits"]) == 4


# ------------------------------------------------------------- found by attacking the change


def _write_rows(path: Path, sheet_name: str, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    workbook.save(path)
    return path


def _shelf_profile(ctx: AppContext, name: str = "shelf", **extra: Any) -> str:
    profile = {
        "name": name,
        "checklist": "sourcing",
        "columns": {"branch_code": "Store code", "visit_date": "Visit date", "auditor": "Auditor"},
        "items": corpus.SOURCING_ITEMS,
        **extra,
    }
    save_profile(parse_profile(profile), ctx.settings.resolved_mappings_dir)
    return name


def test_a_one_beside_percentages_is_one_percent_not_a_hundred(
    ctx: AppContext, tmp_path: Path
) -> None:
    """0 and 1 fit either scale: beside 50 and 80 they are percentages as written."""
    save_branches(ctx, [corpus.branch(f"S-{n}", f"Shelf {n}") for n in (1, 2, 3)])
    rows = [corpus.SOURCING_HEADER]
    for n, fresh in enumerate([1, 50, 80], start=1):
        rows.append([f"S-{n}", corpus._day(n), "Team", fresh, 80, 100, "Y", "Y", "Y"])
    path = _write_rows(tmp_path / "ones.xlsx", "Shelf", rows)
    [result] = import_files(ctx, [path], mapping_name=_shelf_profile(ctx))
    assert result.status == "imported", [str(p) for p in result.problems]
    from audit_app.services.audits import load_audit

    fresh = {
        a.branch_code: {x.item_id: x.value for x in load_audit(ctx, a.audit_id).record.answers}[  # type: ignore[arg-type]
            "share.organic_fresh"
        ]
        for a in result.audits
    }
    assert fresh == {"S-1": 1.0, "S-2": 50.0, "S-3": 80.0}


def test_a_misspelt_percent_column_is_refused_not_ignored(ctx: AppContext, tmp_path: Path) -> None:
    [case] = corpus.percent_typos(tmp_path)[1:]
    save_branches(ctx, case.branches)
    name = _shelf_profile(ctx, "shelf-typo", percent_columns={"Organic fresh share": "percent"})
    [result] = import_files(ctx, [case.path], mapping_name=name)
    assert result.status == "rejected"
    assert [p.code.value for p in result.problems] == ["column_missing", "percent_scale_mixed"]
    assert "percent_columns names 'Organic fresh share'" in result.problems[0].message


def test_an_unknown_code_with_a_date_and_answers_is_refused_not_guessed_closed(
    ctx: AppContext, tmp_path: Path
) -> None:
    """A mistyped code on a scored visit marked Closed is a visit: refused by name."""
    case = corpus.status_column(tmp_path)[0]
    save_branches(ctx, [b for b in case.branches if b.code != "UK-02"])
    save_profile(parse_profile(case.profile), ctx.settings.resolved_mappings_dir)
    [result] = import_files(ctx, [case.path], mapping_name="wave3")
    assert result.status == "rejected"
    assert [(p.code.value, p.cell) for p in result.problems] == [("branch_unknown", "B5")]


def test_a_continuation_row_of_a_known_branch_is_not_guessed_away(
    ctx: AppContext, tmp_path: Path
) -> None:
    """Long layout, the visit's cells on its first row only; its last answer row reads
    Closed in the status column: still part of the visit."""
    save_branches(ctx, [corpus.branch("UK-01", "Leeds")])
    rows: list[list[Any]] = [
        ["Store code", "Visit date", "Auditor", "Question", "Answer", "Status"]
    ]
    answers = {
        "share.organic_fresh": 91,
        "share.organic_dry": 80,
        "share.preservative_free": 100,
        "shelf.organic_labelled": "Yes",
        "shelf.origin_shown": "Yes",
        "records.certificates": "Yes",
        "notes.inspector": "Shop closing for works next week",
    }
    for n, (item, value) in enumerate(answers.items()):
        first = ["UK-01", corpus._day(1), "Team"] if n == 0 else [None, None, None]
        status = "Closed" if item == "notes.inspector" else None
        rows.append([*first, item, value, status])
    path = _write_rows(tmp_path / "long.xlsx", "Answers", rows)
    profile = {
        "name": "long-shelf",
        "checklist": "sourcing",
        "layout": "long",
        "columns": {"branch_code": "Store code", "visit_date": "Visit date", "auditor": "Auditor"},
        "long": {"item_column": "Question", "value_column": "Answer"},
        "skip": {"closed_column": "Status"},
    }
    save_profile(parse_profile(profile), ctx.settings.resolved_mappings_dir)
    [result] = import_files(ctx, [path], mapping_name="long-shelf")
    assert result.status == "imported", [str(p) for p in result.problems]
    assert result.rows.to_dict() == {
        "read": 7, "imported": 7, "already_present": 0, "skipped": 0, "rejected": 0,
    }  # fmt: skip


def test_ids_listed_are_only_those_this_import_wrote(ctx: AppContext, tmp_path: Path) -> None:
    path, in_person, _, world = corpus.two_audit_types(tmp_path)
    save_branches(ctx, world)
    folder = ctx.settings.resolved_mappings_dir
    save_profile(parse_profile(in_person), folder)
    save_profile(parse_profile({**in_person, "name": "june-visits-2"}), folder)
    [first] = import_files(ctx, [path], mapping_name="june-visits")
    [second] = import_files(ctx, [path], mapping_name="june-visits-2")
    assert len(first.to_dict()["audits"]) == 3
    assert (second.status, second.to_dict()["audits"], second.already_present) == (
        "imported",
        [],
        3,
    )


def test_the_same_item_twice_in_our_csv_is_refused_and_other_files_go_on(
    ctx: AppContext, tmp_path: Path
) -> None:
    save_branches(ctx, [corpus.branch("UK-01", "Leeds")])
    header = "branch_code,checklist_id,visited_at,auditor,item_id,value\n"
    lines = [f"UK-01,sourcing,2025-05-02,Team,{item},{value}\n" for item, value in [
        ("share.organic_fresh", 91), ("share.organic_fresh", 92), ("share.organic_dry", 80),
        ("share.preservative_free", 100), ("shelf.organic_labelled", "yes"),
        ("shelf.origin_shown", "yes"), ("records.certificates", "yes"),
    ]]  # fmt: skip
    twice = tmp_path / "twice.csv"
    twice.write_text(header + "".join(lines), encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(header + "".join(lines[1:]).replace("2025-05-02", "2025-05-03"), "utf-8")
    refused, imported = import_files(ctx, [twice, good])
    assert [(p.code.value, p.row) for p in refused.problems] == [("answered_twice", 3)]
    assert refused.rows.to_dict() == {
        "read": 7, "imported": 0, "already_present": 0, "skipped": 0, "rejected": 7,
    }  # fmt: skip
    assert (imported.status, imported.added) == ("imported", 1)


def test_csv_rows_are_named_by_the_line_a_text_editor_shows(
    ctx: AppContext, tmp_path: Path
) -> None:
    """A comment with a line break inside quotes: the records after it are named by the
    line they start on, as the CSV parser's own messages are."""
    save_branches(ctx, [corpus.branch("UK-01", "Leeds")])
    header = "branch_code,checklist_id,visited_at,auditor,item_id,value,comment\n"
    good = [
        ("share.organic_fresh", 91, '"Checked twice,\nboth shelves"'),
        ("share.organic_dry", 80, ""),
        ("share.preservative_free", 100, ""),
        ("shelf.organic_labelled", "maybe", ""),
        ("shelf.origin_shown", "yes", ""),
        ("records.certificates", "yes", ""),
    ]
    body = "".join(f"UK-01,sourcing,2025-05-02,Team,{i},{v},{c}\n" for i, v, c in good)
    path = tmp_path / "multiline.csv"
    path.write_text(header + body, encoding="utf-8")
    [result] = import_files(ctx, [path])
    assert [(p.code.value, p.row) for p in result.problems] == [("answer_invalid", 6)]


def test_a_skip_rule_on_a_column_the_file_lacks_refuses_the_file(
    ctx: AppContext, tmp_path: Path
) -> None:
    """A rule that would skip nothing, silently, is refused naming the rule and the row."""
    case = corpus.status_column(tmp_path)[0]
    save_branches(ctx, case.branches)
    profile = {
        **case.profile,
        "name": "wave3-typo",
        "skip": [{"column": "Final Scor", "equals": "x"}],
    }
    save_profile(parse_profile(profile), ctx.settings.resolved_mappings_dir)
    [result] = import_files(ctx, [case.path], mapping_name="wave3-typo")
    assert result.status == "rejected"
    assert [(p.code.value, p.row) for p in result.problems] == [("column_missing", 3)]
    assert "skip.rules[0] names the column 'Final Scor'" in result.problems[0].message


def test_percent_columns_may_name_the_item_id(ctx: AppContext, tmp_path: Path) -> None:
    [case] = corpus.percent_typos(tmp_path)[1:]
    save_branches(ctx, case.branches)
    name = _shelf_profile(ctx, "shelf-by-id", percent_columns={"share.organic_fresh": "percent"})
    [result] = import_files(ctx, [case.path], mapping_name=name)
    assert (result.status, result.rows.imported) == ("imported", 31)
