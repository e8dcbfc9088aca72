"""Comparing locations: league tables that respect sample size, consistency of standards,
heatmaps, region roll-ups, trends, auditor effects and comparisons across checklist versions.

Pure pandas, numpy and scipy: the functions take frames that storage loads and return
small frozen value objects (or frames where the result is a grid), shared by the command
line, the app and the reports.

The model behind every statistic is the one-way random-effects model of an audit score:
``y = mu + u_branch + e_audit``, where ``u`` is the branch's lasting level (variance
``between``) and ``e`` the visit-to-visit noise (variance ``within``). Both variances are
estimated from the data by the method of moments:

- ``within`` is the pooled within-branch variance ``sum((y - mean_b)^2) / (N - B)``;
- ``between = var(branch means) - within * mean(1 / n_b)`` (the unweighted-means
  estimator: the spread of branch means minus the part that noise alone would give),
  truncated at 0. With equal audits per branch it is the classical one-way ANOVA
  estimator ``(MSB - MSW) / n``, so ``between / (between + within)`` is ICC(1).

Inputs (column names are the contract with storage):

- audits: one row per audit with ``audit_id, branch_code, branch_name, region, country,
  checklist_id, checklist_version, auditor, visited_at, overall, passed, critical_failure``;
- cells: one row per branch x standard with ``branch_code, checklist_id, standard, n, sum,
  sum_sq`` (the sufficient statistics of the scores; :func:`summarise_cells` builds them
  from per-audit rows, storage can also let the database add them up);
- per-audit x section rows ``audit_id, section_id, score, weight`` and per-audit x item
  rows ``audit_id, item_id, score`` (0-1, NaN for N/A).
"""

from __future__ import annotations

from audit_app.domain.compare.auditors import (
    AuditorEffect,
    AuditorEffects,
    estimate_auditor_effects,
)
from audit_app.domain.compare.bands import BAND_THRESHOLD
from audit_app.domain.compare.consistency import (
    StandardConsistency,
    consistency_index,
    consistency_index_by_period,
    item_consistency,
    least_consistent,
    scale_cells,
    section_consistency,
    summarise_cells,
)
from audit_app.domain.compare.league import (
    BranchStanding,
    Grouping,
    LeagueState,
    LeagueTable,
    PeriodEffect,
    describe_league_method,
    rank_branches,
)
from audit_app.domain.compare.notices import Notice, NoticeCode
from audit_app.domain.compare.summaries import (
    TREND_COLUMNS,
    RegionSummary,
    heatmap_grid,
    roll_up_regions,
    section_heatmap,
    trend,
)
from audit_app.domain.compare.totals import (
    BRANCH_PERIOD_TOTAL_COLUMNS,
    combine_branch_periods,
    combine_totals,
    total_branch_periods,
    total_branches,
)
from audit_app.domain.compare.variance import (
    BRANCH_TOTAL_COLUMNS,
    CELL_COLUMNS,
    CONFIDENCE,
    DEFAULT_MIN_AUDITS,
    GradeOf,
    Level,
    Period,
    VarianceComponents,
    Z,
    _shown,
    estimate_components,
    period_labels,
    pooled_within,
    t_quantile,
)
from audit_app.domain.compare.versions import (
    Rescored,
    VersionAlignment,
    align_versions,
    rescore_on_shared_items,
)

__all__ = [
    "BAND_THRESHOLD",
    "BRANCH_PERIOD_TOTAL_COLUMNS",
    "BRANCH_TOTAL_COLUMNS",
    "CELL_COLUMNS",
    "CONFIDENCE",
    "DEFAULT_MIN_AUDITS",
    "TREND_COLUMNS",
    "AuditorEffect",
    "AuditorEffects",
    "BranchStanding",
    "GradeOf",
    "Grouping",
    "LeagueState",
    "LeagueTable",
    "Level",
    "Notice",
    "NoticeCode",
    "Period",
    "PeriodEffect",
    "RegionSummary",
    "Rescored",
    "StandardConsistency",
    "VarianceComponents",
    "VersionAlignment",
    "Z",
    "_shown",
    "align_versions",
    "combine_branch_periods",
    "combine_totals",
    "consistency_index",
    "consistency_index_by_period",
    "describe_league_method",
    "estimate_auditor_effects",
    "estimate_components",
    "heatmap_grid",
    "item_consistency",
    "least_consistent",
    "period_labels",
    "pooled_within",
    "rank_branches",
    "rescore_on_shared_items",
    "roll_up_regions",
    "scale_cells",
    "section_consistency",
    "section_heatmap",
    "summarise_cells",
    "t_quantile",
    "total_branch_periods",
    "total_branches",
    "trend",
]
