"""The failure evidence read on its own (``comparison_evidence``), as the Compare page reads
it when a view shows it: the same counts ``comparison(request).evidence`` holds, for the
same audits (scored, of open branches unless closed ones are asked for), in the user's areas
only."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from audit_app.checklists import Catalogue, dump_checklist
from audit_app.config import default_checklists_dir
from audit_app.domain.audit import Answer, AuditRecord, Visit
from audit_app.domain.checklist import Checklist
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare as service
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext, open_context
from tests.databases import drop_database, make_settings
from tests.services.test_audits import BRANCHES
from tests.services.test_compare import demo_ctx
from tests.storage.test_database import _good_value
from tests.storage.test_item_vectors import FILTERS, messy

__all__ = ["demo_ctx", "messy"]

DEMO_REQUESTS = {
    "everything": ComparisonRequest(AuditFilter()),
    "closed branches too": ComparisonRequest(AuditFilter(), include_closed=True),
    "phone": ComparisonRequest(AuditFilter(checklist_id="greeting_phone")),
    "a quarter": ComparisonRequest(
        AuditFilter(date_from=date(2026, 7, 1), date_to=date(2026, 9, 30))
    ),
    "with follow-ups": ComparisonRequest(AuditFilter(include_follow_ups=True)),
    "by quarter, no period effects": ComparisonRequest(
        AuditFilter(), period="quarter", adjust_periods=False
    ),
    "nothing": ComparisonRequest(AuditFilter(date_from=date(2031, 1, 1))),
}


def _total(evidence: dict[tuple[str, str], object]) -> int:
    return sum(count.failures for count in evidence.values())  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(DEMO_REQUESTS))
def test_the_evidence_alone_is_the_comparisons(demo_ctx: AppContext, name: str) -> None:
    request = DEMO_REQUESTS[name]
    alone = service.comparison_evidence(demo_ctx, replace(request, evidence=False))
    assert alone == service.comparison(demo_ctx, request).evidence
    if name != "nothing":
        assert _total(alone) > 0, "the selection has failed answers to count"


def test_closed_branches_count_only_when_asked_for(demo_ctx: AppContext) -> None:
    """The demo's closed branch failed answers too: they count only with include_closed."""
    open_only = service.comparison_evidence(demo_ctx, DEMO_REQUESTS["everything"])
    with_closed = service.comparison_evidence(demo_ctx, DEMO_REQUESTS["closed branches too"])
    closed = ComparisonRequest(AuditFilter(branch_code="RO-TRA-01"), include_closed=True)
    of_closed = service.comparison_evidence(demo_ctx, closed)
    assert _total(of_closed) > 0
    assert _total(with_closed) == _total(open_only) + _total(of_closed)


def test_an_area_manager_counts_only_her_areas(demo_ctx: AppContext) -> None:
    marta = demo_ctx.as_user(User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",)))
    request = DEMO_REQUESTS["everything"]
    hers = service.comparison_evidence(marta, request)
    assert hers == service.comparison(marta, request).evidence
    assert hers == service.comparison_evidence(
        demo_ctx, replace(request, audit_filter=AuditFilter(areas=("Barcelona",)))
    )
    assert 0 < _total(hers) < _total(service.comparison_evidence(demo_ctx, request))


@pytest.mark.parametrize("name", list(FILTERS))
def test_the_messy_worlds_evidence_alone_is_the_comparisons(messy: AppContext, name: str) -> None:
    """Two versions of one checklist, N/A sections, follow-ups, channels, regions, areas."""
    for include_closed in (False, True):
        request = ComparisonRequest(FILTERS[name], include_closed=include_closed, items=False)
        alone = service.comparison_evidence(messy, request)
        assert alone == service.comparison(messy, request).evidence, include_closed


def test_an_audit_the_shared_items_leave_unscored_counts_in_neither(
    tmp_path: Path, engine_kind: str
) -> None:
    """A checklist whose versions share only N/A-able items: an old audit with those N/A
    has a stored score but none on the shared items, so the comparison leaves it out, and
    its failed answers (on items v2 dropped) with it; the evidence read alone must too."""
    folder = tmp_path / "checklists"
    folder.mkdir()
    for path in default_checklists_dir().glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    v1 = Catalogue.from_folder(folder).get("greeting_phone", 1)
    data = v1.to_data()
    data["version"] = 2
    data["sections"] = [s for s in data["sections"] if s["id"] == "voicemail"] + [
        {
            "id": "extra",
            "title": {"en": "Extra"},
            "items": [{"id": "extra.callback", "type": "yes_no", "text": {"en": "Call back"}}],
        }
    ]
    v2 = Checklist.model_validate(data)
    (folder / "greeting_phone.v2.yaml").write_text(dump_checklist(v2), encoding="utf-8")
    ctx = open_context(make_settings(engine_kind, tmp_path / "world", folder))
    try:
        save_branches(ctx, BRANCHES)

        def record(checklist: Checklist, branch: str, day: int, **values: object) -> AuditRecord:
            answers = tuple(
                Answer(item.id, None, True)
                if values.get(item.id) == "na"
                else Answer(item.id, values.get(item.id, _good_value(item)))
                for item in checklist.items
                if item.scored
            )
            visit = Visit(
                branch, "greeting_phone", checklist.version, datetime(2026, 3, day), "Ann"
            )
            return AuditRecord(visit, answers)

        na = {"voicemail.greeting_current": "na", "voicemail.return_hours": "na"}
        stored = store_audits(
            ctx,
            [
                record(v1, "ES-01", 2, **{"call.clear_speech": False}),
                record(v1, "TR-01", 3, **{"call.clear_speech": False}, **na),
                record(v2, "ES-01", 20),
                record(v2, "TR-01", 21),
            ],
        )
        assert stored.skipped == 0
        request = ComparisonRequest(AuditFilter(checklist_id="greeting_phone"), items=False)
        whole = service.comparison(ctx, request)
        assert whole.audits == 3, "the audit with only N/A shared items is left out"
        alone = service.comparison_evidence(ctx, replace(request, evidence=False))
        assert alone == whole.evidence
    finally:
        ctx.engine.dispose()
        drop_database(ctx.settings.resolved_database_url)
