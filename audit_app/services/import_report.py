"""An import's outcome in words, the same on the command line and in the app."""

from __future__ import annotations

from datetime import UTC, datetime

from audit_app.services.imports import FileImport


def _count(number: int, noun: str, many: str | None = None) -> str:
    return f"{number:,} {noun if number == 1 else many or noun + 's'}"


def describe(result: FileImport) -> str:
    """One line: what happened (or, in a dry run, would happen) to the file."""
    if result.status == "already_imported":
        previous = result.previous_import or {}
        ids = previous.get("audit_ids") or []
        shown = ", ".join(f"#{i}" for i in ids[:10]) + (" …" if len(ids) > 10 else "")
        mapping = f" with the mapping profile '{result.mapping}'" if result.mapping else ""
        return (
            f"already imported{mapping} {when_imported(previous.get('imported_at'))}"
            + (f" as audit {shown}" if shown else " (all its visits were already present)")
            + "; nothing written"
        )
    if result.status == "rejected":
        count = len(result.problems)
        return f"rejected: {_count(count, 'problem')}; nothing written"
    verb = "would add" if result.status == "checked" else "added"
    text = f"{verb} {_count(result.added, 'audit')}"
    if result.already_present:
        text += f", {result.already_present:,} already stored"
    if result.skipped:
        text += f", {_count(len(result.skipped), 'row')} skipped"
    return text


def rows_line(result: FileImport) -> str:
    """``1,295 read = 1,250 imported + 17 already present + 28 skipped + 0 rejected``."""
    rows = result.rows
    return (
        f"{rows.read:,} read = {rows.imported:,} "
        f"{'to import' if result.status == 'checked' else 'imported'} + "
        f"{rows.already_present:,} already present + {rows.skipped:,} skipped + "
        f"{rows.rejected:,} rejected"
    )


def when_imported(stamp: object) -> str:
    """ "on 23 Nov 2026 at 06:53 UTC" from the import log's ISO time (kept in UTC), rather
    than the raw ``2026-11-23T06:53``."""
    if not stamp:
        return "before"
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return f"on {stamp}"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"on {moment.day} {moment:%b %Y} at {moment:%H:%M} UTC"
