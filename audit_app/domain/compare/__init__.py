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
from audit_app.domain.compare.calibration import (
    MIN_PAIRS_FOR_INTERVAL,
    AuditorPairAgreement,
    Calibration,
    CalibrationPair,
    ItemAgreement,
    calibrate,
    find_calibration_pairs,
    gwet_ac1,
    icc_interval,
    icc_oneway,
)
from audit_app.domain.compare.changes import BranchChange, Changes, branch_changes
from audit_app.domain.compare.comparison import (
    ComparisonFrames,
    Headline,
    branch_month_totals,
    compute_comparison,
    compute_headline,
    empty_comparison,
    item_standards,
    item_standards_of,
    item_sums,
    league_of,
    month_cells,
    totals_in_periods,
    with_auditors,
    with_item_standards,
    with_items,
)
from audit_app.domain.compare.consistency import (
    FEW_REPEAT_BRANCHES,
    ConsistencyIndex,
    StandardConsistency,
    consistency_index,
    consistency_index_by_period,
    consistency_index_by_period_cells,
    index_per_period,
    item_consistency,
    least_consistent,
    raw_consistency_index,
    scale_cells,
    section_consistency,
    summarise_cells,
    summarise_consistency,
)
from audit_app.domain.compare.league import (
    BranchStanding,
    LeagueState,
    LeagueTable,
    PeriodEffect,
    describe_league_method,
    rank_branches,
)
from audit_app.domain.compare.notices import Notice, NoticeCode
from audit_app.domain.compare.pair_sums import (
    KeyedSums,
    PairSums,
    pair_sums_of,
    with_branches_replaced,
    within,
)
from audit_app.domain.compare.request import GROUPINGS, PERIODS, ComparisonRequest, Grouping
from audit_app.domain.compare.result import ComparisonResult, Scope
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
    CELL_COLUMNS_WITH_PERIOD,
    CONFIDENCE,
    DEFAULT_MIN_AUDITS,
    FEW_NOISE_DF,
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
    latest_versions,
    rescore_on_shared_items,
)

__all__ = [
    "BAND_THRESHOLD",
    "BRANCH_PERIOD_TOTAL_COLUMNS",
    "BRANCH_TOTAL_COLUMNS",
    "CELL_COLUMNS",
    "CELL_COLUMNS_WITH_PERIOD",
    "CONFIDENCE",
    "DEFAULT_MIN_AUDITS",
    "FEW_NOISE_DF",
    "FEW_REPEAT_BRANCHES",
    "GROUPINGS",
    "MIN_PAIRS_FOR_INTERVAL",
    "PERIODS",
    "TREND_COLUMNS",
    "AuditorEffect",
    "AuditorEffects",
    "AuditorPairAgreement",
    "BranchChange",
    "BranchStanding",
    "Calibration",
    "CalibrationPair",
    "Changes",
    "ComparisonFrames",
    "ComparisonRequest",
    "ComparisonResult",
    "ConsistencyIndex",
    "GradeOf",
    "Grouping",
    "Headline",
    "ItemAgreement",
    "KeyedSums",
    "LeagueState",
    "LeagueTable",
    "Level",
    "Notice",
    "NoticeCode",
    "PairSums",
    "Period",
    "PeriodEffect",
    "RegionSummary",
    "Rescored",
    "Scope",
    "StandardConsistency",
    "VarianceComponents",
    "VersionAlignment",
    "Z",
    "_shown",
    "align_versions",
    "branch_changes",
    "branch_month_totals",
    "calibrate",
    "combine_branch_periods",
    "combine_totals",
    "compute_comparison",
    "compute_headline",
    "consistency_index",
    "consistency_index_by_period",
    "consistency_index_by_period_cells",
    "describe_league_method",
    "empty_comparison",
    "estimate_auditor_effects",
    "estimate_components",
    "find_calibration_pairs",
    "gwet_ac1",
    "heatmap_grid",
    "icc_interval",
    "icc_oneway",
    "index_per_period",
    "item_consistency",
    "item_standards",
    "item_standards_of",
    "item_sums",
    "latest_versions",
    "league_of",
    "least_consistent",
    "month_cells",
    "pair_sums_of",
    "period_labels",
    "pooled_within",
    "rank_branches",
    "raw_consistency_index",
    "rescore_on_shared_items",
    "roll_up_regions",
    "scale_cells",
    "section_consistency",
    "section_heatmap",
    "summarise_cells",
    "summarise_consistency",
    "t_quantile",
    "total_branch_periods",
    "total_branches",
    "totals_in_periods",
    "trend",
    "with_auditors",
    "with_branches_replaced",
    "with_item_standards",
    "with_items",
    "within",
]
