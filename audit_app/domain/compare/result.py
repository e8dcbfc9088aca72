"""Everything a comparison shows, computed once in one pass over one snapshot of the data.

The command line, the pages, the CSV and Excel files and the PDF only render a
:class:`ComparisonResult`; none of them computes a statistic, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from audit_app.domain.compare.auditors import AuditorEffects
from audit_app.domain.compare.calibration import Calibration
from audit_app.domain.compare.changes import NO_CHANGES, Changes
from audit_app.domain.compare.consistency import StandardConsistency
from audit_app.domain.compare.league import LeagueTable
from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.request import ComparisonRequest
from audit_app.domain.compare.summaries import RegionSummary
from audit_app.domain.compare.versions import VersionAlignment
from audit_app.domain.compare.words import count
from audit_app.domain.evidence import EvidenceCount
from audit_app.i18n import _, ngettext


@dataclass(frozen=True)
class Scope:
    """Whose branches the comparison is about: the chain, or an area manager's areas."""

    areas: tuple[str, ...] | None
    """None: the whole chain (head office)."""
    branches: int
    """Branches in the selection."""

    @property
    def label(self) -> str:
        """'Chain: 5,000 branches' or 'Area Barcelona: 6 branches', in the current language."""
        n = self.branches
        if self.areas is None:
            sentence = ngettext("Chain: {count} branch", "Chain: {count} branches", n)
            return sentence.format(count=count(n))
        names = ", ".join(self.areas) or _("none")
        if len(self.areas) > 1:
            sentence = ngettext(
                "Areas {names}: {count} branch", "Areas {names}: {count} branches", n
            )
        else:
            sentence = ngettext("Area {names}: {count} branch", "Area {names}: {count} branches", n)
        return sentence.format(names=names, count=count(n))

    @property
    def noun(self) -> str:
        """What the pooled level is called: 'chain' or 'area'."""
        return "chain" if self.areas is None else ("area" if len(self.areas) == 1 else "areas")


@dataclass(frozen=True)
class ComparisonResult:
    request: ComparisonRequest
    """The request as computed: its filter narrowed to the user's areas."""
    scope: Scope
    audits: int
    branches: int
    league: LeagueTable
    regions: tuple[RegionSummary, ...]
    sections: tuple[StandardConsistency, ...]
    items: tuple[StandardConsistency, ...]
    """Empty when the request left items out."""
    least_consistent: tuple[StandardConsistency, ...]
    """Sections and items together, the standards whose branches differ most first."""
    consistency_index: float | None
    """Net of period effects (when the request removes them)."""
    raw_consistency_index: float | None
    """The same index without removing period effects."""
    auditors: AuditorEffects
    calibration: Calibration
    """Agreement of auditors who scored the same visit (calibration pairs)."""
    versions: tuple[VersionAlignment, ...]
    notices: tuple[Notice, ...]
    method: tuple[str, ...]
    """The method, one paragraph per part, in the order the outputs show them."""
    heatmap: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)
    """Long form: branch_code, checklist_id, section_id, audits, mean."""
    trend: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)
    """The pooled mean per period with the noise test (:data:`TREND_COLUMNS`)."""
    index_trend: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)
    """The consistency index per period."""
    item_sections: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)
    """(checklist id, item id) -> section id."""
    message: str | None = None
    """Why there is nothing to compare, when there is nothing."""
    changes: Changes = field(default_factory=lambda: NO_CHANGES)
    """Change per branch between two periods, the clear changes first."""
    evidence: Mapping[tuple[str, str], EvidenceCount] = field(default_factory=dict, compare=False)
    """(checklist id, item id) -> failed answers in the comparison's scope and how many of
    them carry a photo; only items that failed at least once."""

    @property
    def failed_items(self) -> tuple[tuple[str, str, EvidenceCount], ...]:
        """The items that failed, most failures first: (checklist id, item id, counts)."""
        return most_failed(self.evidence)

    @property
    def empty(self) -> bool:
        return self.audits == 0

    @property
    def mean_score(self) -> float | None:
        """The mean score as every page states it: the plain mean of the overall scores of
        the audits compared, each audit counting once (see :data:`labels.MEAN_DEFINITION`)."""
        rows = self.league.rows
        audits = sum(r.audits for r in rows)
        if not audits:
            return None
        return sum(r.mean * r.audits for r in rows) / audits

    @property
    def least_consistent_sections(self) -> tuple[str, ...]:
        """The three sections whose branches differ most for real (checklist/section)."""
        sections = [s for s in self.least_consistent if s.level == "section" and s.between_sd]
        return tuple(f"{s.checklist_id}/{s.standard}" for s in sections[:3])


def most_failed(
    evidence: Mapping[tuple[str, str], EvidenceCount],
) -> tuple[tuple[str, str, EvidenceCount], ...]:
    """Items by failures (most first), then by fewest photos (the least evidenced), then id."""
    ranked = sorted(
        evidence.items(), key=lambda kv: (-kv[1].failures, kv[1].with_photo, kv[0][0], kv[0][1])
    )
    return tuple((checklist_id, item_id, n) for (checklist_id, item_id), n in ranked)
