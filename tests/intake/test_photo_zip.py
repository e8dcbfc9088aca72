"""The offline zip read safely in memory (bounded like a workbook's own zip), and each
photo's name read as its question and visit."""

from __future__ import annotations

import io
import zipfile

import pytest

from audit_app.domain.intake.model import IssueCode, UnreadableFile
from audit_app.domain.intake.photo_names import VisitPlace, match_photos
from audit_app.intake.photo_zip import is_photo_zip, read_bundle
from audit_app.intake.source.limits import Limits
from tests.intake.photo_zips import jpeg, zipped

ITEMS = ["greet_smile", "door_clean", "step_2", "front.photo"]
ONE = [VisitPlace("Audit", 4)]
ROWS = [VisitPlace("Visits", 5), VisitPlace("Visits", 6)]


def test_members_are_read_in_memory_with_system_files_set_aside() -> None:
    data = zipped(
        {
            "trip/../../etc/shop.xlsx": b"PK workbook",
            "trip/greet_smile.jpg": jpeg(),
            "__MACOSX/trip/._greet_smile.jpg": b"resource fork",
            "trip/.DS_Store": b"finder",
            "~$shop.xlsx": b"excel lock file",  # not a second workbook
        }
    )
    assert is_photo_zip("Offline.ZIP") and not is_photo_zip("shop.xlsx")
    bundle = read_bundle(data, Limits())
    assert bundle.workbook.name == "trip/../../etc/shop.xlsx"  # a label, never a path
    assert [m.name for m in bundle.files] == ["trip/greet_smile.jpg"]
    assert bundle.ignored == ("__MACOSX/trip/._greet_smile.jpg", "trip/.DS_Store", "~$shop.xlsx")
    assert len(bundle.order) == 5


@pytest.mark.parametrize(
    ("members", "code"),
    [
        ({"greet_smile.jpg": jpeg()}, IssueCode.ZIP_NO_WORKBOOK),
        ({"a.xlsx": b"1", "visit 2/b.xlsx": b"2"}, IssueCode.ZIP_WORKBOOKS),
    ],
)
def test_a_zip_needs_exactly_one_workbook(members: dict[str, bytes], code: IssueCode) -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_bundle(zipped(members), Limits())
    assert refused.value.code == code


def test_a_zip_bomb_is_refused_within_the_inflated_limit() -> None:
    bomb = zipped({"shop.xlsx": b"PK", "greet_smile.jpg": b"\0" * (3 * 2**20)})
    assert len(bomb) < 20_000
    with pytest.raises(UnreadableFile, match=r"would inflate to 3\.0 MB, more than the 2 MB"):
        read_bundle(bomb, Limits(max_inflated_mb=2))


def test_a_zip_whose_directory_lies_about_sizes_is_refused() -> None:
    """The declared sizes pass; the members really inflate to more: caught while read."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("shop.xlsx", b"PK")
        archive.writestr("greet_smile.jpg", b"\0" * (3 * 2**20))
    data = bytearray(out.getvalue())
    local = data.find(b"greet_smile.jpg") - 30  # the local header, then the central one
    central = data.find(b"greet_smile.jpg", local + 31) - 46
    data[local + 22 : local + 26] = (10).to_bytes(4, "little")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(UnreadableFile, match="the zip is damaged"):
        read_bundle(bytes(data), Limits(max_inflated_mb=2))


def test_damaged_and_crowded_zips_are_refused_in_words() -> None:
    with pytest.raises(UnreadableFile, match="the zip is damaged"):
        read_bundle(b"PK\x03\x04 cut short", Limits())
    crowded = zipped({"shop.xlsx": b"PK", **{f"{n}.jpg": b"" for n in range(10_001)}})
    with pytest.raises(UnreadableFile, match="more than 10,000 files"):
        read_bundle(crowded, Limits())


def test_names_are_read_as_question_codes_and_ordinals() -> None:
    names = [
        "greet_smile.jpg",
        "Photos/GREET_SMILE-2.JPG",
        "greet_smile_3.jpeg",
        "greet_smile (4).png",
        "step_2.jpg",  # a question code itself, not step's second photo
        "front.photo.heic",
        "greet.jpg",
    ]
    matches, problems = match_photos(names, ONE, ITEMS)
    assert [(m.member, m.item_id, m.ordinal, m.visit) for m in matches] == [
        ("greet_smile.jpg", "greet_smile", 1, 0),
        ("Photos/GREET_SMILE-2.JPG", "greet_smile", 2, 0),
        ("greet_smile_3.jpeg", "greet_smile", 3, 0),
        ("greet_smile (4).png", "greet_smile", 4, 0),
        ("step_2.jpg", "step_2", 1, 0),
        ("front.photo.heic", "front.photo", 1, 0),
    ]
    assert [(member, p.code) for member, p in problems] == [("greet.jpg", IssueCode.PHOTO_NO_ITEM)]
    assert problems[0][1].message.startswith("greet.jpg: the name is no question code")


def test_several_visits_take_a_folder_named_by_the_row() -> None:
    names = [
        "row 5/greet_smile.jpg",
        "zip/Row-6/photos/door_clean.jpg",  # the nearest folder naming a row decides
        "6/greet_smile.jpg",
        "fila_5/door_clean.jpg",
        "door_clean.jpg",
        "row 8/door_clean.jpg",
    ]
    matches, problems = match_photos(names, ROWS, ITEMS)
    assert [(m.member, m.visit) for m in matches] == [
        ("row 5/greet_smile.jpg", 0),
        ("zip/Row-6/photos/door_clean.jpg", 1),
        ("6/greet_smile.jpg", 1),
        ("fila_5/door_clean.jpg", 0),
    ]
    assert [(member, p.code) for member, p in problems] == [
        ("door_clean.jpg", IssueCode.PHOTO_VISIT_UNCLEAR),
        ("row 8/door_clean.jpg", IssueCode.PHOTO_VISIT_UNCLEAR),
    ]
    assert "folder named by its visit's row, e.g. 'row 5/'" in problems[0][1].message
    assert "no visit of the workbook is on row 8" in problems[1][1].message
