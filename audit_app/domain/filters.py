"""Which audits a list, a comparison or a report is about."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AuditFilter:
    checklist_id: str | None = None
    date_from: date | None = None
    """First visit day included."""
    date_to: date | None = None
    """Last visit day included."""
    region: str | None = None
    country: str | None = None
    branch_code: str | None = None
    kind: str | None = None
    channel: str | None = None
    auditor: str | None = None
    reference: str | None = None
    """Audits whose visit reference (an agency's review number) contains this text, in any
    case: how an audit is found from the vendor's record."""
    areas: tuple[str, ...] | None = None
    """Only branches of these areas: set by the services for an area manager, never by a
    widget, so every list, comparison and download stays inside their areas."""
    include_follow_ups: bool = False
    """Follow-up audits re-check only failed items, so their scores are not comparable with
    full audits: left out unless asked for (or unless ``kind`` asks for them)."""

    def describe(self, checklist_titles: Mapping[str, str] | None = None) -> str:
        """The filter as a short phrase for titles and report covers."""
        checklist = self.checklist_id and (checklist_titles or {}).get(
            self.checklist_id, self.checklist_id
        )
        parts = [
            f"{label} {value}"
            for label, value in (
                ("checklist", checklist),
                ("region", self.region),
                ("country", self.country),
                ("branch", self.branch_code),
                ("kind", self.kind),
                ("channel", self.channel),
                ("auditor", self.auditor),
                ("reference", self.reference),
                ("area", ", ".join(self.areas) if self.areas is not None else None),
            )
            if value
        ]
        if self.include_follow_ups and self.kind is None:
            parts.append("follow-ups included")
        if self.date_from or self.date_to:
            parts.append(f"visits {self.date_from or '…'} to {self.date_to or '…'}")
        return ", ".join(parts) or "all submitted audits"
