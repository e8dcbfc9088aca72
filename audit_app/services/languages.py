"""Which language a user reads the app in: the one they chose, else their area's, else the
browser's (the page asks in that order)."""

from __future__ import annotations

from collections import Counter

from audit_app.errors import AuditAppError
from audit_app.i18n import LANGUAGES, _
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.storage import database, user_store


def choose_language(ctx: AppContext, language: str) -> None:
    """Keep the acting user's choice of language, for their next log-in on any device."""
    if ctx.user is None:
        raise AuditAppError(_("Log in to keep a language with your user."))
    if language not in LANGUAGES:
        raise AuditAppError(
            _("The app speaks {languages}, not {language}.").format(
                languages=", ".join(LANGUAGES), language=repr(language)
            )
        )
    with database.transaction(ctx.engine) as conn:
        user_store.change(conn, ctx.user.username, language=language)


def area_language(ctx: AppContext) -> str | None:
    """The language most branches of an area manager's areas speak (None for a user without
    areas, or branches in languages the app does not speak)."""
    if ctx.user is None or not ctx.user.areas:
        return None
    spoken = Counter(
        branch.language
        for branch in list_branches(ctx)
        if branch.area in ctx.user.areas and branch.language in LANGUAGES
    )
    return spoken.most_common(1)[0][0] if spoken else None
