"""The offline route: a filled-in template and the phone's photos in one zip import as one,
each photo on its answer and sealed with its visit; every file of the zip accounted for;
any problem refuses the whole zip, photos and audits alike."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

from audit_app.config import Settings
from audit_app.domain.intake.model import IssueCode
from audit_app.services.audits import list_scores, load_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.evidence import media_store
from audit_app.services.imports import FileImport, import_bytes
from audit_app.services.verify import verify
from tests.databases import drop_database, make_settings, point_environment_at
from tests.intake.photo_zips import (
    BRANCHES,
    GOOD,
    bulk_workbook,
    checklists_folder,
    jpeg,
    single_workbook,
    zipped,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(
    tmp_path: Path, engine_kind: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """A world whose checklist has a photo question and a photo rule (``shopfront``)."""
    folder = checklists_folder(tmp_path)
    made = make_settings(engine_kind, tmp_path / "data", folder)
    point_environment_at(made, monkeypatch)
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(folder))
    yield made
    drop_database(made.resolved_database_url)


@pytest.fixture
def shop(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def _workbook(ctx: AppContext, **answers: str) -> bytes:
    return single_workbook(ctx.catalogue.get("shopfront"), {**GOOD, **answers})


def _bulk(ctx: AppContext) -> bytes:
    visit = {"visit_date": date(2026, 11, 2), "auditor": "Ann Auditor", **GOOD}
    return bulk_workbook(
        ctx.catalogue.get("shopfront"),
        [
            {**visit, "branch": "ES-01", "visit_time": time(10, 0)},
            {**visit, "branch": "ES-02", "visit_time": time(11, 0), "door_clean": "No"},
        ],
    )


def _nothing_written(ctx: AppContext, result: FileImport) -> None:
    assert result.status == "rejected"
    assert list_scores(ctx).empty
    assert list(media_store(ctx.settings).hashes()) == []  # not even kept aside


def _member(result: FileImport, name: str) -> dict[str, object]:
    return next(m.to_dict() for m in result.members if m.member == name)


def test_photos_go_on_their_answers_in_order_and_are_sealed(shop: AppContext) -> None:
    red, blue, green = jpeg("red"), jpeg("blue"), jpeg("green")
    data = zipped(
        {
            "visit/shop front.xlsx": _workbook(shop, door_clean="No"),
            "visit/DOOR_CLEAN_2.JPG": blue,  # the second photo, listed first in the zip
            "visit/door_clean.jpg": red,
            "front_photo.jpg": green,  # a photo question: answered by its photo alone
            "__MACOSX/visit/._door_clean.jpg": b"\x00\x05\x16\x07",
        }
    )
    result = import_bytes(shop, "offline.zip", data)
    assert result.status == "imported", [str(p) for p in result.problems]
    assert [a.photos for a in result.audits] == [3]
    stored = load_audit(shop, result.audits[0].audit_id)  # type: ignore[arg-type]
    photos = {a.item_id: a.photos for a in stored.record.answers}
    door = [m.sha256 for m in result.members if m.item_id == "door_clean"]
    assert photos["door_clean"] == (
        _member(result, "visit/door_clean.jpg")["sha256"],
        _member(result, "visit/DOOR_CLEAN_2.JPG")["sha256"],
    )
    assert set(door) == set(photos["door_clean"])
    assert photos["front_photo"] == (_member(result, "front_photo.jpg")["sha256"],)
    assert photos["greet_smile"] == ()
    assert [m.role for m in result.members] == ["workbook", "photo", "photo", "photo", "ignored"]
    assert verify(shop).ok
    # Sealed with the visit: a photo file altered afterwards is named by verify.
    path = media_store(shop.settings).path(photos["front_photo"][0])
    path.write_bytes(jpeg("black"))
    problems = verify(shop).problems
    assert problems and any(photos["front_photo"][0][:12] in p for p in problems)


def test_a_bulk_zip_takes_a_folder_per_visit_row(shop: AppContext) -> None:
    data = zipped(
        {
            "bulk.xlsx": _bulk(shop),
            "photos/row 5/greet_smile.jpg": jpeg("red"),
            "photos/Row-6/door_clean.jpg": jpeg("blue"),
            "6/front_photo.png": jpeg("green"),
        }
    )
    preview = import_bytes(shop, "wave.zip", data, dry_run=True)
    assert preview.status == "checked", [str(p) for p in preview.problems]
    assert [(a.rows, a.photos) for a in preview.audits] == [((5,), 1), ((6,), 2)]
    assert list(media_store(shop.settings).hashes()) == []  # a dry run keeps none
    result = import_bytes(shop, "wave.zip", data)
    assert result.status == "imported"
    by_branch = {
        load_audit(shop, a.audit_id).record.visit.branch_code: {  # type: ignore[arg-type]
            x.item_id: len(x.photos)
            for x in load_audit(shop, a.audit_id).record.answers  # type: ignore[arg-type]
            if x.photos
        }
        for a in result.audits
    }
    assert by_branch == {"ES-01": {"greet_smile": 1}, "ES-02": {"door_clean": 1, "front_photo": 1}}
    assert verify(shop).ok


def test_a_photo_of_no_visit_or_no_question_is_named_and_refuses_the_zip(shop: AppContext) -> None:
    data = zipped(
        {
            "bulk.xlsx": _bulk(shop),
            "row 6/door_clean.jpg": jpeg(),
            "greet_smile.jpg": jpeg(),  # two visits: which one?
            "row 9/window.jpg": jpeg(),  # no visit on row 9
            "row 5/greet_smil.jpg": jpeg(),  # no such question
            "row 5/notes.txt": b"left the door open",
            "row 5/window.jpg": b"GIF89a not really",  # named well, not an image
        }
    )
    result = import_bytes(shop, "wave.zip", data)
    _nothing_written(shop, result)
    said = {p.message.partition(":")[0]: p.code for p in result.problems}
    assert said == {
        "greet_smile.jpg": IssueCode.PHOTO_VISIT_UNCLEAR,
        "row 9/window.jpg": IssueCode.PHOTO_VISIT_UNCLEAR,
        "row 5/greet_smil.jpg": IssueCode.PHOTO_NO_ITEM,
        "row 5/notes.txt": IssueCode.PHOTO_NO_ITEM,
        "row 5/window.jpg": IssueCode.PHOTO_REFUSED,
    }
    assert "not a photo" in next(p.message for p in result.problems if p.code == "photo_refused")
    roles = {m.member: m.role for m in result.members}
    assert roles == {
        "bulk.xlsx": "workbook",
        "row 6/door_clean.jpg": "photo",
        "greet_smile.jpg": "refused",
        "row 9/window.jpg": "refused",
        "row 5/greet_smil.jpg": "refused",
        "row 5/notes.txt": "refused",
        "row 5/window.jpg": "refused",
    }


@pytest.mark.parametrize(
    ("members", "code", "words"),
    [
        ({"door_clean.jpg": b"x"}, IssueCode.ZIP_NO_WORKBOOK, "holds no filled-in template"),
        ({"a.xlsx": b"x", "b/c.XLSX": b"y"}, IssueCode.ZIP_WORKBOOKS, "holds 2 workbooks"),
    ],
)
def test_a_zip_without_exactly_one_workbook_is_refused(
    shop: AppContext, members: dict[str, bytes], code: IssueCode, words: str
) -> None:
    result = import_bytes(shop, "offline.zip", zipped(members))
    assert result.codes == {code}
    assert words in result.problems[0].message
    _nothing_written(shop, result)


def test_the_same_zip_twice_adds_nothing(shop: AppContext) -> None:
    data = zipped({"shop.xlsx": _workbook(shop), "greet_smile.jpg": jpeg()})
    first = import_bytes(shop, "offline.zip", data)
    again = import_bytes(shop, "copy of offline.zip", data)
    assert (first.status, first.added) == ("imported", 1)
    assert (again.status, again.added) == ("already_imported", 0)
    assert len(list_scores(shop)) == 1
    # The same template with another photo is another import, but the same visit.
    other = import_bytes(shop, "offline.zip", zipped({"shop.xlsx": _workbook(shop)}))
    assert (other.status, other.added, other.already_present) == ("imported", 0, 1)
    assert other.import_key != first.import_key
    # Another photo for the stored visit is accounted for, and not added.
    late = zipped({"shop.xlsx": _workbook(shop), "window.jpg": jpeg("blue")})
    result = import_bytes(shop, "late.zip", late)
    assert (result.status, result.added) == ("imported", 0)
    assert "already stored" in str(_member(result, "window.jpg")["reason"])
    audit_id = first.audits[0].audit_id
    assert [a.item_id for a in load_audit(shop, audit_id).record.answers if a.photos] == [  # type: ignore[arg-type]
        "greet_smile"
    ]


def test_a_failed_answer_without_its_required_photo_refuses_the_visit(shop: AppContext) -> None:
    data = zipped({"shop.xlsx": _workbook(shop, door_clean="No"), "greet_smile.jpg": jpeg()})
    result = import_bytes(shop, "offline.zip", data)
    _nothing_written(shop, result)
    assert result.codes == {IssueCode.PHOTO_REQUIRED}
    problem = result.problems[0]
    assert (problem.sheet, problem.cell) == ("Audit", "E13")
    assert "door_clean" in str(problem) and "Audit!E13" in str(problem)
    # The plain workbook too: the rule holds whatever way a visit comes in.
    plain = import_bytes(shop, "shop.xlsx", _workbook(shop, door_clean="No"))
    assert plain.codes == {IssueCode.PHOTO_REQUIRED}


def test_a_photo_of_an_unanswered_question_is_refused(shop: AppContext) -> None:
    answers = {"greet_smile": "Yes", "door_clean": "Yes"}  # the window (optional) left blank
    workbook = single_workbook(shop.catalogue.get("shopfront"), answers)
    result = import_bytes(shop, "x.zip", zipped({"x.xlsx": workbook, "window.jpg": jpeg()}))
    assert result.codes == {IssueCode.PHOTO_UNANSWERED}
    assert _member(result, "window.jpg")["role"] == "refused"
    _nothing_written(shop, result)


def test_the_command_line_imports_a_zip(shop: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "offline.zip"
    path.write_bytes(
        zipped({"shop.xlsx": _workbook(shop, door_clean="No"), "door_clean.jpg": jpeg()})
    )

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit_app", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=dict(os.environ),
            timeout=120,
        )

    checked = cli("import", str(path), "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert (
        "1 photo" in checked.stdout and "photo door_clean.jpg: row 4, door_clean" in checked.stdout
    )
    done = cli("import", str(path))
    assert done.returncode == 0, done.stderr
    assert "1 photo" in done.stdout
    audit_id = int(list_scores(shop)["audit_id"].iloc[0])
    answers = {a.item_id: a for a in load_audit(shop, audit_id).record.answers}
    assert len(answers["door_clean"].photos) == 1
    assert verify(shop).ok
    again = cli("import", str(path))
    assert again.returncode == 0 and "already imported" in again.stdout


def test_a_file_named_zip_that_is_no_zip_is_refused_as_damaged(shop: AppContext) -> None:
    result = import_bytes(shop, "photos.zip", b"a text file renamed")
    assert result.codes == {IssueCode.FILE_UNREADABLE}
    assert result.problems[0].message.startswith("the zip is damaged")
