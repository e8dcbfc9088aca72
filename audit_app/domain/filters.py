"""Which audits a list, a comparison or a report is about."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from audit_app.i18n import N_, _


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
    branches: tuple[str, ...] | None = None
    """Only the branches with these codes: set by the services when a kept selection reads
    again the branches written since it was read, never by a widget (and so never described:
    no title or report cover is made of such a filter)."""
    include_follow_ups: bool = False
    """Follow-up audits re-check only failed items, so their scores are not comparable with
    full audits: left out unless asked for (or unless ``kind`` asks for them)."""

    def in_whole_months(self) -> bool:
        """Its dates (if any) start on a month's first day and end on a month's last: what
        summaries kept per month can answer exactly."""
        if self.date_from is not None and self.date_from.day != 1:
            return False
        return self.date_to is None or (self.date_to + timedelta(days=1)).day == 1

    def dates_hold(self, other: AuditFilter) -> bool:
        """Whether this filter's dates hold ``other``'s (a filter without a date at an end is
        open there): what a selection taken from a wider one's rows needs."""
        if self.date_from is not None and (
            other.date_from is None or other.date_from < self.date_from
        ):
            return False
        return self.date_to is None or (other.date_to is not None and other.date_to <= self.date_to)

    def only_dates(self) -> bool:
        """Whether it selects by dates alone (every audit of a span, of every branch; the
        follow-ups too or not)."""
        bare = AuditFilter(date_from=self.date_from, date_to=self.date_to)
        return replace(self, include_follow_ups=False) == bare

    def describe(self, checklist_titles: Mapping[str, str] | None = None) -> str:
        """The filter as a short phrase for titles and report covers, in the current
        language (channels and kinds by their labels; days as ISO dates, exact in any)."""
        from audit_app.domain.labels import channel_label, kind_label

        checklist = self.checklist_id and (checklist_titles or {}).get(
            self.checklist_id, self.checklist_id
        )
        phrases = (
            (N_("checklist {value}"), checklist),
            (N_("region {value}"), self.region),
            (N_("country {value}"), self.country),
            (N_("branch {value}"), self.branch_code),
            (N_("kind {value}"), self.kind and kind_label(self.kind)),
            (N_("channel {value}"), self.channel and channel_label(self.channel)),
            (N_("auditor {value}"), self.auditor),
            (N_("reference {value}"), self.reference),
            (N_("area {value}"), ", ".join(self.areas) if self.areas is not None else None),
        )
        parts = [_(phrase).format(value=value) for phrase, value in phrases if value]
        if self.include_follow_ups and self.kind is None:
            parts.append(_("follow-ups included"))
        if self.date_from or self.date_to:
            parts.append(
                _("visits {start} to {end}").format(
                    start=self.date_from or "…", end=self.date_to or "…"
                )
            )
        return ", ".join(parts) or _("all submitted audits")
