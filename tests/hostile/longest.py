"""The longest values the input bounds accept, with hostile characters in them, and the files
just past the bounds, generated here (no file is committed).

Names and texts are made of what the world types: Catalan, Turkish and Romanian letters,
Arabic with a RIGHT-TO-LEFT OVERRIDE, an emoji with skin tone and zero-width joiner, CJK,
a formula start and markup. ``longest_name()`` is exactly ``AUDIT_MAX_NAME_CHARS`` (200) long,
``longest_text()`` exactly ``AUDIT_MAX_TEXT_CHARS`` (2,000) with tabs and line breaks.

    python -m tests.hostile.longest DIR     # writes every file past a bound into DIR

Each :class:`PastBound` names the file, how it arrives and the words its refusal must hold.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from audit_app.domain.audit import Answer, AuditKind, AuditRecord, Branch, Channel, Visit
from audit_app.domain.bounds import NAME_COLUMN_CHARS, TEXT_CEILING_CHARS
from audit_app.domain.checklist import Checklist
from audit_app.services.actions import ActionFilter, list_actions, update_action
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.revisions import raise_appeal, resolve_appeal, revise_audit
from tests.helpers import PHONE_ANSWERS
from tests.hostile.corpus import VISIT, filled_workbook, phone_csv, row_of, workbook_bytes

RTL_OVERRIDE = "\u202e"
POP = "\u202c"
WORKER = "\U0001f469\U0001f3fd\u200d\U0001f4bc"  # woman office worker, medium skin tone
NAME_SEED = f"Núria Çağlar-Ștefănescu {RTL_OVERRIDE}سارة{POP} {WORKER} 審査員 =SUM(A1) <b>&amp; "
TEXT_SEED = (
    f"The greeting was «cold»; {RTL_OVERRIDE}لم يرد أحد{POP} {WORKER} 電話は鳴り続けた。\t"
    '=HYPERLINK("http://x") <img src=x> & so on.\n'
)
MARK = "ENDMARK"
"""Every longest value ends with this word, to find its end in a PDF read back."""


def longest(seed: str, length: int) -> str:
    """``seed`` repeated to exactly ``length`` characters, ending with :data:`MARK`."""
    body = (seed * (length // len(seed) + 1))[: length - len(MARK) - 1].rstrip()
    return (body + " " * (length - len(MARK) - len(body)) + MARK)[:length]


def longest_name(length: int = NAME_COLUMN_CHARS) -> str:
    return longest(NAME_SEED, length)


def longest_text(length: int = TEXT_CEILING_CHARS) -> str:
    return longest(TEXT_SEED, length)


# --------------------------------------------------------------------------- past the bounds


@dataclass(frozen=True)
class PastBound:
    case: str
    path: Path
    code: str
    """The IssueCode (imports) or ``file`` (an answers file refused whole)."""
    words: tuple[str, ...]
    what: str


def write_all(folder: Path) -> dict[str, PastBound]:
    """Every file just past a bound, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = [
        _template(
            folder,
            "auditor_201.xlsx",
            auditor="A" * 201,
            code="text_too_long",
            words=("B7", "201 characters", "limit is 200"),
            what="An auditor of 201 characters (template)",
        ),
        _template(
            folder,
            "auditor_5000.xlsx",
            auditor="A" * 5000,
            code="text_too_long",
            words=("B7", "5,000 characters", "limit is 200"),
            what="An auditor of 5,000 characters (template)",
        ),
        _csv(
            folder,
            "auditor_escape.csv",
            "Ann\x1b[31m",
            code="text_control_character",
            words=("line 2", "U+001B"),
            what="An ESC control character in the auditor (CSV; a workbook cannot hold one)",
        ),
        _template(
            folder,
            "date_9999.xlsx",
            when=datetime(9999, 12, 31, 10, 0),
            code="date_out_of_range",
            words=("B5", "9999-12-31", "2000-01-01"),
            what="A visit dated 9999-12-31",
        ),
        _template(
            folder,
            "date_1999.xlsx",
            when=datetime(1999, 12, 31, 10, 0),
            code="date_out_of_range",
            words=("B5", "1999-12-31"),
            what="A visit dated 1999-12-31",
        ),
        _comment(folder),
        _csv(
            folder,
            "auditor_300.csv",
            "Z" * 300,
            code="text_too_long",
            words=("line 2", "300 characters", "limit is 200"),
            what="An auditor of 300 characters (CSV)",
        ),
        _json(
            folder,
            "nan.json",
            {**PHONE_ANSWERS, "answer.rings": "NaN"},
            words=("nan.json", "answer.rings", "NaN"),
            what="NaN in a JSON answers file",
        ),
        _json(
            folder,
            "infinity.json",
            {**PHONE_ANSWERS, "call.tone": "-Infinity"},
            words=("infinity.json", "call.tone", "-Infinity"),
            what="-Infinity in a JSON answers file",
        ),
        _big_json(folder),
    ]
    return {case.case: case for case in cases}


def _template(
    folder: Path,
    name: str,
    *,
    code: str,
    words: tuple[str, ...],
    what: str,
    auditor: str = "Hostile Tester",
    when: datetime = VISIT,
) -> PastBound:
    path = folder / name
    path.write_bytes(workbook_bytes(filled_workbook(auditor=auditor, when=when)))
    return PastBound(path.stem, path, code, words, what)


def _comment(folder: Path) -> PastBound:
    workbook = filled_workbook(comments={"answer.greeting": "c" * 32_000})
    row = row_of(workbook, "answer.greeting")
    path = folder / "comment_32000.xlsx"
    path.write_bytes(workbook_bytes(workbook))
    return PastBound(
        path.stem,
        path,
        "text_too_long",
        (f"F{row}", "32,000 characters", "limit is 2,000"),
        "A comment of 32,000 characters (template)",
    )


def _csv(
    folder: Path, name: str, auditor: str, *, code: str, words: tuple[str, ...], what: str
) -> PastBound:
    path = folder / name
    path.write_text(phone_csv(auditor=auditor), encoding="utf-8")
    return PastBound(path.stem, path, code, words, what)


def _json(
    folder: Path, name: str, answers: dict[str, object], *, words: tuple[str, ...], what: str
) -> PastBound:
    """JSON with a bare NaN or Infinity, as Python's and JavaScript's encoders write them."""
    text = json.dumps(answers)
    for constant in ("NaN", "-Infinity", "Infinity"):
        text = text.replace(f'"{constant}"', constant)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return PastBound(path.stem, path, "file", words, what)


def _big_json(folder: Path) -> PastBound:
    """A JSON answers file of 21 MB (one comment), past the 20 MB upload cap."""
    path = folder / "big.json"
    padding = "p" * (21 * 2**20)
    path.write_text(
        json.dumps({**PHONE_ANSWERS, "answer.greeting": {"value": "Yes", "comment": padding}}),
        encoding="utf-8",
    )
    return PastBound(
        path.stem, path, "file", ("big.json", "20 MB upload limit"), "A 21 MB JSON answers file"
    )


# --------------------------------------------------------------------------- a world at the bounds

CODE = "XX-LONGEST-01"
FIRST_DAY = date(2000, 1, 1)


@dataclass(frozen=True)
class LongestWorld:
    """What :func:`build_world` stored: the audit with every long field, and a sourcing
    audit whose free-text answer is the longest text."""

    audit_id: int
    sourcing_id: int
    action_id: int


def _answers(checklist: Checklist, *, fail: str | None = None) -> tuple[Answer, ...]:
    """Every item answered (the scored ones at their best but ``fail``), each with the
    longest comment; a text item with the longest answer."""
    from tests.storage.test_database import _good_value

    answers = []
    for item in checklist.items:
        if not item.scored:
            value: object = longest_text()
        elif item.id == fail:
            value = False
        else:
            value = _good_value(item)
        answers.append(Answer(item.id, value, False, longest_text()))  # type: ignore[arg-type]
    return tuple(answers)


def _visit(checklist: Checklist, when: datetime) -> Visit:
    channel = Channel(checklist.channel) if checklist.channel else None
    return Visit(
        CODE, checklist.id, checklist.version, when, longest_name(), AuditKind.MYSTERY_SHOP, channel
    )


def build_world(ctx: AppContext) -> LongestWorld:
    """Branch XX-LONGEST-01 with the longest name, manager, franchisee, region, area and
    address; phone audits by the longest auditor on the first and the last accepted day
    (2000-01-01 and tomorrow), every answer with the longest comment; their actions with the
    longest owner and note; a correction, an appeal and its resolution with the longest
    reasons; a sourcing audit with the longest text answer; a plain second branch."""
    name, text = longest_name(), longest_text()
    save_branches(
        ctx,
        [
            Branch(
                code=CODE,
                name=name,
                region=longest_name(100),
                area=longest_name(100),
                country="ES",
                manager=name,
                franchisee=name,
                address=longest_name(500),
            ),
            Branch(code="XX-PLAIN-02", name="Plain", region=longest_name(100), country="ES"),
        ],
    )
    phone = ctx.catalogue.get("greeting_phone")
    critical = next(item.id for item in phone.items if item.critical)
    audit_id = 0
    for day in (FIRST_DAY, ctx.settings.bounds.latest_visit()):
        audit_id, _ = submit_audit(
            ctx,
            AuditRecord(
                _visit(phone, datetime.combine(day, time(23, 59))), _answers(phone, fail=critical)
            ),
        )
    submit_audit(
        ctx,
        AuditRecord(
            Visit("XX-PLAIN-02", "greeting_phone", 1, datetime(2026, 5, 4, 10), "Plain Auditor"),
            _answers(phone),
        ),
    )
    sourcing = ctx.catalogue.get("sourcing")
    sourcing_id, _ = submit_audit(
        ctx, AuditRecord(_visit(sourcing, datetime(2026, 6, 1, 9)), _answers(sourcing))
    )
    actions = list_actions(ctx, ActionFilter(("open",), CODE))
    for action in actions:
        update_action(ctx, action.id, owner=name, note=text)
    revise_audit(ctx, audit_id, _answers(phone), text, by=name)  # the critical item passes
    appeal = raise_appeal(ctx, audit_id, text, by=name)
    resolve_appeal(ctx, appeal.appeal_id, False, text, by=name)
    return LongestWorld(audit_id, sourcing_id, actions[0].id)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "past-bounds")
    for past in write_all(target).values():
        print(f"{past.path}  ({past.what})")
