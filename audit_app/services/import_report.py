"""An import's outcome in words, the same on the command line (English) and in the app (the
reader's language)."""

from __future__ import annotations

from datetime import UTC, datetime

from audit_app.i18n import _, formats, ngettext
from audit_app.services.imports import FileImport


def describe(result: FileImport) -> str:
    """One line: what happened (or, in a dry run, would happen) to the file."""
    if result.status == "already_imported":
        previous = result.previous_import or {}
        ids = previous.get("audit_ids") or []
        shown = ", ".join(f"#{i}" for i in ids[:10]) + (" …" if len(ids) > 10 else "")
        when = when_imported(previous.get("imported_at"))
        if result.mapping and shown:
            text = _(
                "already imported with the mapping profile '{mapping}' {when} as audit "
                "{audits}; nothing written"
            )
        elif result.mapping:
            text = _(
                "already imported with the mapping profile '{mapping}' {when} (all its "
                "visits were already present); nothing written"
            )
        elif shown:
            text = _("already imported {when} as audit {audits}; nothing written")
        else:
            text = _(
                "already imported {when} (all its visits were already present); nothing written"
            )
        return text.format(mapping=result.mapping, when=when, audits=shown)
    if result.status == "rejected":
        count = len(result.problems)
        return ngettext(
            "rejected: {n} problem; nothing written",
            "rejected: {n} problems; nothing written",
            count,
        ).format(n=formats.integer(count))
    audits = formats.integer(result.added)
    if result.status == "checked":
        text = ngettext("would add {n} audit", "would add {n} audits", result.added)
    else:
        text = ngettext("added {n} audit", "added {n} audits", result.added)
    text = text.format(n=audits)
    if result.already_present:
        text += _(", {n} already stored").format(n=formats.integer(result.already_present))
    if result.skipped:
        skipped = len(result.skipped)
        text += ngettext(", {n} row skipped", ", {n} rows skipped", skipped).format(
            n=formats.integer(skipped)
        )
    return text


def rows_line(result: FileImport) -> str:
    """``1,295 read = 1,250 imported + 17 already present + 28 skipped + 0 rejected``."""
    rows = result.rows
    if result.status == "checked":
        text = _(
            "{read} read = {imported} to import + {present} already present + {skipped} "
            "skipped + {rejected} rejected"
        )
    else:
        text = _(
            "{read} read = {imported} imported + {present} already present + {skipped} "
            "skipped + {rejected} rejected"
        )
    return text.format(
        read=formats.integer(rows.read),
        imported=formats.integer(rows.imported),
        present=formats.integer(rows.already_present),
        skipped=formats.integer(rows.skipped),
        rejected=formats.integer(rows.rejected),
    )


def when_imported(stamp: object) -> str:
    """ "on 23 Nov 2026 at 06:53 UTC" from the import log's ISO time (kept in UTC), rather
    than the raw ``2026-11-23T06:53``."""
    if not stamp:
        return _("before")
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return _("on {date}").format(date=stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return _("on {date} at {time} UTC").format(
        date=formats.date(moment.date()), time=f"{moment:%H:%M}"
    )
