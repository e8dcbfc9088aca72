"""What a file does not say, supplied once: a wizard-drafted profile with the auditor
given (``--set``), the visit date taken from the file name, items keyed by the question
ids in the headers, reads two waves whose wording differs; N/A with a reason keeps the
reason as the comment, ``Fatal`` is a No, ``Routine Inspection`` an inspection (the
wizard drafts the kinds map), and
dates written with month names are read. Every stored answer is compared whole with the
file's cells (``tests/intake/waves.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit_app.intake.layouts.profile import save_profile
from audit_app.services.audits import load_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.imports import FileImport, import_files
from audit_app.services.mappings import parse_constants, save_mapping, suggest_mapping
from tests.intake import corpus, waves


def _branches(ctx: AppContext, count: int = 6) -> None:
    save_branches(ctx, [corpus.branch(f"IP-{n:03}", f"Store {n}") for n in range(1, count + 1)])


def _stored(ctx: AppContext, result: FileImport) -> dict[str, Any]:
    """Branch -> (visited at, auditor, kind, {item: (value, N/A, comment)})."""
    found = {}
    for audit in result.audits:
        stored = load_audit(ctx, audit.audit_id)  # type: ignore[arg-type]
        visit = stored.record.visit
        found[visit.branch_code] = (
            visit.visited_at,
            visit.auditor,
            visit.kind.value,
            {a.item_id: (a.value, a.na, a.comment) for a in stored.record.answers},
        )
    return found


def test_one_drafted_profile_imports_both_waves_with_what_the_files_do_not_say(
    ctx: AppContext, tmp_path: Path
) -> None:
    _branches(ctx)
    wave1, wave2 = waves.write_wave(tmp_path, 1), waves.write_wave(tmp_path, 2)
    draft = suggest_mapping(
        wave2.path, waves.CHECKLIST, "agency-x", constants=parse_constants(["auditor=Agency X"])
    )
    profile = draft.profile
    assert profile.items == {qid: item for item, qid in waves.QUESTION_IDS.items()}
    assert profile.defaults.given() == {"auditor": "Agency X"}
    assert profile.values["visit_date"].source == "file_name"
    assert profile.answers.map == {}  # Fatal is a No of the built-in words
    assert profile.kinds == {"Routine Inspection": "inspection"}
    assert draft.report.needed == ()
    assert draft.report.guessed == (
        "items keyed by the question ids of the headers: a later wave's reworded headers "
        "keep their items",
        "auditor = 'Agency X' (given: defaults.auditor)",
        "visit date from the file name: 'May 2025' -> 2025-05-01 (values.visit_date)",
        "audit kind 'Routine Inspection' -> inspection (kinds)",
    )
    save_mapping(ctx, profile)  # the draft as it is: nothing edited
    results = import_files(ctx, [wave1.path, wave2.path], mapping_name="agency-x")
    for wave, result in zip((wave1, wave2), results, strict=True):
        assert result.status == "imported", [str(p) for p in result.problems]
        expected = {
            code: (wave.visit_date, "Agency X", "inspection", answers)
            for code, answers in wave.expected.items()
        }
        assert _stored(ctx, result) == expected


def test_without_the_auditor_the_wizard_says_what_to_supply(
    ctx: AppContext, tmp_path: Path
) -> None:
    wave = waves.write_wave(tmp_path, 2)
    draft = suggest_mapping(wave.path, waves.CHECKLIST, "no-auditor")
    assert draft.report.needed == ("auditor",)
    assert draft.notes()[-1] == "The files do not say: auditor. The import asks for it."
    assert 'You must supply (the file does not say): auditor (--set auditor="Agency X")' in (
        draft.report.lines()
    )


def test_set_at_import_gives_the_auditor_and_is_part_of_the_identity(
    ctx: AppContext, tmp_path: Path
) -> None:
    _branches(ctx)
    wave = waves.write_wave(tmp_path, 2)
    profile = suggest_mapping(wave.path, waves.CHECKLIST, "wave").profile
    save_profile(profile, ctx.settings.resolved_mappings_dir)
    [refused] = import_files(ctx, [wave.path], mapping_name="wave", dry_run=True)
    assert refused.status == "rejected"
    assert {p.code.value for p in refused.problems} == {"profile_incomplete"}
    [first] = import_files(ctx, [wave.path], mapping_name="wave", constants={"auditor": "Agency X"})
    assert first.status == "imported", [str(p) for p in first.problems]
    assert {a.auditor for a in first.audits} == {"Agency X"}
    [again] = import_files(ctx, [wave.path], mapping_name="wave", constants={"auditor": "Agency X"})
    assert again.status == "already_imported"
    [other] = import_files(ctx, [wave.path], mapping_name="wave", constants={"auditor": "Agency Y"})
    assert (other.status, {a.auditor for a in other.audits}) == ("imported", {"Agency Y"})


def test_dates_with_month_names_in_five_languages(ctx: AppContext, tmp_path: Path) -> None:
    _branches(ctx)
    path = waves.write_month_name_dates(tmp_path)
    draft = suggest_mapping(path, waves.CHECKLIST, "month-names")
    save_mapping(ctx, draft.profile)
    [result] = import_files(ctx, [path], mapping_name="month-names")
    assert result.status == "imported", [str(p) for p in result.problems]
    assert {code: visit[0] for code, visit in _stored(ctx, result).items()} == (
        waves.MONTH_NAME_DAYS
    )


@pytest.mark.parametrize("with_space", ["%d %B %Y"])
def test_a_profile_date_format_with_spaces_is_used_whole(
    ctx: AppContext, tmp_path: Path, with_space: str
) -> None:
    _branches(ctx)
    path = waves.write_month_name_dates(tmp_path)
    profile = suggest_mapping(path, waves.CHECKLIST, "formats").profile
    save_profile(
        profile.model_copy(update={"date_formats": (with_space,)}),
        ctx.settings.resolved_mappings_dir,
    )
    [result] = import_files(ctx, [path], mapping_name="formats", dry_run=True)
    assert result.status == "checked", [str(p) for p in result.problems]


def test_import_set_on_the_command_line(ctx: AppContext, tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    _branches(ctx)
    wave = waves.write_wave(tmp_path, 2)
    profile = suggest_mapping(wave.path, waves.CHECKLIST, "cli-wave").profile
    save_profile(profile, ctx.settings.resolved_mappings_dir)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit_app", "import", str(wave.path), *args],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
            env=dict(os.environ),
            timeout=120,
        )

    refused = run("--mapping", "cli-wave")
    assert refused.returncode == 1
    assert "no column gives the auditor" in refused.stderr
    done = run("--mapping", "cli-wave", "--set", "auditor=Agency X", "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["files"]
    assert (result["status"], {a["auditor"] for a in result["visits"]}) == (
        "imported",
        {"Agency X"},
    )
    without = run("--set", "auditor=Agency X")
    assert without.returncode == 1
    assert without.stderr.strip() == (
        "error: --set gives values to a mapping profile: add --mapping NAME"
    )
