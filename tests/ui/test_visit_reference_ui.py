"""The visit reference on the pages: typed on the New visit form (never carried to the next
visit), shown and searched for on the Audit page, listed in the import preview."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from audit_app.domain.audit import AuditRecord, Visit
from audit_app.intake.layouts.profile import save_profile, suggest_profile
from audit_app.services.audits import list_scores, load_audit, submit_audit
from audit_app.services.context import AppContext
from audit_app.services.imports import import_files
from audit_app.ui.components.import_preview import audits_frame
from tests.intake.reviews import write_review_numbers
from tests.intake.test_visit_reference import BRANCHES as REVIEW_BRANCHES
from tests.services.test_audits import phone_answers
from tests.ui.apptest import HQ, run_app, texts
from tests.ui.test_new_visit_page import BEST, button, fill, key, new_phone_visit, world

__all__ = ["world"]  # the fixture, imported for the tests below


def _submit_with(app, reference: str) -> None:  # type: ignore[no-untyped-def]
    fill(app, BEST)
    app.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    app.text_input(key="nv_reference").input(reference).run()
    button(app, "Submit").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]


def test_the_form_stores_each_visits_own_reference(world: AppContext) -> None:
    app = new_phone_visit(HQ)
    assert app.text_input(key="nv_reference").value == ""
    _submit_with(app, "  RV-100231 ")
    button(app, "Enter another visit").click().run()
    assert app.text_input(key="nv_reference").value == ""  # the header is kept, not this
    _submit_with(app, "RV-100232")  # same branch, time and auditor: told apart by it
    scores = list_scores(world)
    stored = [load_audit(world, int(i)).record.visit.reference for i in scores["audit_id"]]
    assert stored == ["RV-100231", "RV-100232"]


def _audits(ctx: AppContext) -> list[int]:
    ids = []
    for day, reference in ((2, "RV-100231"), (3, "RV-100232"), (4, None)):
        visit = Visit(
            "ES-BCN-01", "greeting_phone", 1, datetime(2026, 3, day, 10), "Ann", reference=reference
        )
        audit_id, _ = submit_audit(ctx, AuditRecord(visit, tuple(phone_answers(ctx))))
        ids.append(audit_id)
    return ids


def test_the_audit_page_finds_an_audit_by_its_reference(world: AppContext) -> None:
    ids = _audits(world)
    app = run_app(HQ, page="audit")
    app.text_input[0].input("rv-10023").run()
    picker = app.selectbox(key="audit_picker")
    assert picker.label == "Audits whose reference contains 'rv-10023' (2)"
    assert picker.options == [
        f"#{ids[1]} · Mar 3, 2026 · Gràcia (ES-BCN-01) · Greeting: telephone · 100.0 · RV-100232",
        f"#{ids[0]} · Mar 2, 2026 · Gràcia (ES-BCN-01) · Greeting: telephone · 100.0 · RV-100231",
    ]
    picker.select_index(1).run()
    assert not app.exception, app.exception
    assert app.title[0].value == f"Audit #{ids[0]}"
    assert "**Reference**  \nRV-100231" in [m.value for m in app.markdown]


def test_a_reference_nobody_has_says_so(world: AppContext) -> None:
    _audits(world)
    app = run_app(HQ, page="audit")
    app.text_input[0].input("ZZ-9").run()
    assert "No audit has a visit reference containing 'ZZ-9'." in texts(app)
    assert [s.key for s in app.selectbox if s.key == "audit_picker"] == []


def test_an_audit_without_a_reference_shows_no_such_field(world: AppContext) -> None:
    ids = _audits(world)
    app = run_app(HQ, page="audit", query={"id": str(ids[2])})
    assert "Reference" not in texts(app)


def test_the_import_preview_lists_each_visits_reference(ctx: AppContext, tmp_path: Path) -> None:
    from audit_app.services.branches import save_branches

    save_branches(ctx, REVIEW_BRANCHES)
    made = write_review_numbers(tmp_path)
    profile, _ = suggest_profile(made.path, ctx.catalogue.get("greeting_in_person"), "agency")
    save_profile(profile, ctx.settings.data_dir / "mappings")
    [result] = import_files(ctx, [made.path], mapping_name="agency", dry_run=True)
    frame = audits_frame(result)
    assert list(frame.columns[:4]) == ["status", "branch_code", "visited_at", "reference"]
    assert frame["reference"].tolist() == ["RV-100231", "RV-100232", "RV-100240"]


def test_a_draft_keeps_its_reference(world: AppContext) -> None:
    from audit_app.services.drafts import list_drafts

    app = new_phone_visit(HQ)
    app.text_input(key="nv_reference").input("RV-7").run()
    button(app, "Save draft").click().run()
    [draft] = list_drafts(world)
    assert load_audit(world, draft.audit_id).record.visit.reference == "RV-7"
    later = run_app(HQ, page="new_visit")
    button(later, "Continue draft").click().run()
    assert later.text_input(key="nv_reference").value == "RV-7"
