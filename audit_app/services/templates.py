"""Fill-in templates for a checklist and a set of branches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audit_app.errors import AuditAppError
from audit_app.i18n import _, language_name
from audit_app.intake.templates import write_template
from audit_app.services.auditors import auditor_names
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext


@dataclass(frozen=True)
class Template:
    content: bytes
    checklist_id: str
    checklist_version: int
    items: int
    branches: int
    note: str | None = None


def make_template(
    ctx: AppContext,
    checklist_ref: str,
    *,
    branch_codes: Sequence[str] = (),
    language: str | None = None,
    bulk: bool = False,
    rows: int = 500,
) -> Template:
    checklist = ctx.catalogue.resolve(checklist_ref)
    known = {b.code: b for b in list_branches(ctx) if b.active}
    unknown = [code for code in branch_codes if code not in known]
    if unknown:
        raise AuditAppError(
            _("unknown or inactive branch code(s): {codes}").format(codes=", ".join(unknown))
        )
    chosen = [known[code] for code in branch_codes] if branch_codes else list(known.values())
    if not 1 <= rows <= 50_000:
        raise AuditAppError(_("A template has from 1 to 50,000 visit rows."))
    note = None
    if language and language not in checklist.languages:
        note = _(
            "The checklist “{title}” has no texts in {language} (it has {languages}); its "
            "questions are in its first language."
        ).format(
            title=checklist.title_in(),
            language=language_name(language),
            languages=", ".join(language_name(code) for code in checklist.languages),
        )
    content = write_template(
        checklist, chosen, language=language, bulk=bulk, rows=rows, auditors=auditor_names(ctx)
    )
    return Template(
        content, checklist.id, checklist.version, len(checklist.items), len(chosen), note
    )
