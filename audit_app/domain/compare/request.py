"""What a comparison is asked for: the selection of audits and the choices of the model.

One request gives one :class:`~audit_app.domain.compare.result.ComparisonResult`; the
request (with the data version) is the key of the one cache at the app's edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from audit_app.domain.compare.variance import DEFAULT_MIN_AUDITS, Period
from audit_app.domain.filters import AuditFilter

Grouping = Literal["auto", "chain", "region", "country"]
GROUPINGS: tuple[Grouping, ...] = ("auto", "chain", "region", "country")
PERIODS: tuple[Period, ...] = ("month", "quarter")


@dataclass(frozen=True)
class ComparisonRequest:
    audit_filter: AuditFilter = field(default_factory=AuditFilter)
    """The audits compared (the services narrow it to the user's areas)."""
    min_audits: int = DEFAULT_MIN_AUDITS
    """Branches with fewer audits are listed but not ranked."""
    period: Period = "month"
    """The period whose effects are removed, and of the trend and the change."""
    adjust_periods: bool = True
    """Remove period effects (a good or bad wave for everyone) before comparing branches."""
    grouping: Grouping = "auto"
    """What a branch's estimate is pulled toward: its region's or country's level, or the
    chain's; ``auto`` takes the region when regions differ clearly."""
    items: bool = True
    """Consistency per item too (the slowest part of a large selection)."""
    auditors: bool = True
    """Auditor effects and calibration too (a caller that shows only the league or the
    consistency index, such as the Overview, leaves them out)."""
    evidence: bool = True
    """How many answers of each item failed and how many carry a photo (the Compare page's
    evidence columns, the PDF); the Overview, which shows neither, leaves them out: a
    ten-times year's 130,000 item-score vectors are not read for it."""
    change_from: str | None = None
    """The earlier period of the change per branch (default: the latest before ``change_to``
    in which some branch audited then was also audited)."""
    change_to: str | None = None
    """The later period (default: the selection's last)."""
    include_closed: bool = False
    """Closed branches (no longer active) are left out of the comparison and its rankings
    unless asked for; when included they are ranked and marked closed."""

    def scoped(self, audit_filter: AuditFilter) -> ComparisonRequest:
        return replace(self, audit_filter=audit_filter)
