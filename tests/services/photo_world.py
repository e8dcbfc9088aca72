"""Audits with photos for report tests: Pillow-made JPEGs stored through the service."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

from PIL import Image

from audit_app.domain.audit import Answer, AuditRecord, Branch
from audit_app.domain.evidence import EvidenceCount, failed
from audit_app.domain.filters import AuditFilter
from audit_app.domain.scoring import score_checked
from audit_app.services.audits import list_scores, load_audit, submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.evidence import store_photo
from tests.services.test_audits import phone_answers, phone_visit


def jpeg(width: int, height: int, colour: str, taken: str | None = None) -> bytes:
    """A JPEG of one colour; ``taken`` ("2026:03:03 14:05:00") goes in its EXIF DateTime."""
    exif = Image.Exif()
    if taken:
        exif[306] = taken
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", exif=exif)
    return out.getvalue()


def photo(ctx: AppContext, width: int, height: int, colour: str, taken: str | None = None) -> str:
    """A photo kept in the media store, its hash."""
    return store_photo(ctx, jpeg(width, height, colour, taken), f"{colour}.jpg").sha256


def audit_with_photos(
    ctx: AppContext,
    branch: str,
    when: datetime,
    photos: dict[str, tuple[str, ...]],
    failing: tuple[str, ...] = (),
) -> int:
    """A submitted greeting_phone audit: the yes/no items in ``failing`` answered No, the
    answers named in ``photos`` carrying those photo hashes."""
    answers = phone_answers(ctx, **dict.fromkeys(failing, False))
    answers = tuple(a if a.item_id not in photos else _with(a, photos[a.item_id]) for a in answers)
    audit_id, _card = submit_audit(ctx, AuditRecord(phone_visit(branch, when), answers))
    return audit_id


def _with(answer: Answer, photos: tuple[str, ...]) -> Answer:
    return replace(answer, photos=photos)


AREA_BRANCHES = [
    Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="ES-02", name="Sants", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="TR-01", name="Kadıköy", region="Istanbul", area="Istanbul", country="TR"),
]
GREETING, SPEECH = "answer.greeting", "call.clear_speech"


def evidence_world(ctx: AppContext) -> dict[str, int]:
    """Three branches in two areas, four audits with failures, some with photos:
    chain-wide greeting fails 4 times (3 with photos), clear speech 2 (1); Barcelona's
    share is 3 (2) and 1 (0). A photo on a passed answer is no evidence of a failure."""
    save_branches(ctx, AREA_BRANCHES)
    shot = [photo(ctx, 640, 480, colour) for colour in ("red", "blue", "green", "white", "gray")]
    day = datetime(2026, 3, 2, 10, 0)
    return {
        "es1-a": audit_with_photos(
            ctx, "ES-01", day, {GREETING: (shot[0], shot[1])}, failing=(GREETING, SPEECH)
        ),
        "es1-b": audit_with_photos(
            ctx, "ES-01", day.replace(day=9), {SPEECH: (shot[2],)}, failing=(GREETING,)
        ),
        "es2": audit_with_photos(ctx, "ES-02", day, {GREETING: (shot[3],)}, failing=(GREETING,)),
        "tr1": audit_with_photos(
            ctx,
            "TR-01",
            day,
            {GREETING: (shot[4],), SPEECH: (shot[4],)},
            failing=(GREETING, SPEECH),
        ),
    }


def recount(
    ctx: AppContext, audit_filter: AuditFilter | None = None
) -> dict[tuple[str, str], EvidenceCount]:
    """The counts again, the slow way: every audit the user sees loaded and each answer
    judged by ``domain.evidence.failed``."""
    counts: dict[tuple[str, str], EvidenceCount] = {}
    for audit_id in list_scores(ctx, audit_filter or AuditFilter())["audit_id"]:
        stored = load_audit(ctx, int(audit_id))
        visit = stored.record.visit
        checklist = ctx.catalogue.get(visit.checklist_id, visit.checklist_version)
        card = score_checked(checklist, stored.record.answers)
        for answer in stored.record.answers:
            item = checklist.items_by_id[answer.item_id]
            if failed(checklist, item, answer, card.item_scores.get(item.id)):
                key = (checklist.id, item.id)
                was = counts.get(key, EvidenceCount())
                counts[key] = EvidenceCount(was.failures + 1, was.with_photo + bool(answer.photos))
    return counts
