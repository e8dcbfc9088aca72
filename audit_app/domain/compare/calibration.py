"""Calibration: how well two auditors agree when they score the same visit.

A calibration pair is two submitted audits of one branch with one checklist on one day
by two different auditors (with the same agency reference when both carry one; a
follow-up, which re-checks only failed items, never pairs). Agreement is measured per
item over all pairs:

- yes/no items: Gwet's AC1 (Gwet 2008), chance-corrected like Cohen's kappa but stable
  when nearly every answer is "yes" (kappa then collapses towards 0 although the auditors
  agree), with Gwet's linearised variance for two raters;
- scored items (scale, choice, number, percentage; item scores 0-1): the one-way
  intraclass correlation ICC(1) with McGraw & Wong's (1996) F-based interval. One-way,
  because every visit is scored by its own pair of auditors (not the same two auditors
  for all visits, which the two-way ICC(A,1) assumes), and who is "a" or "b" is arbitrary;
  ICC(1) counts a systematic difference between the two auditors as disagreement, so it
  measures absolute agreement.

Pure numpy and pandas; scipy (for the F quantiles) is imported only when needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from audit_app.domain.checklist import Checklist
from audit_app.domain.compare.variance import CONFIDENCE, t_quantile
from audit_app.i18n import N_, _, ngettext

MIN_PAIRS_FOR_INTERVAL = 5
"""Below this many pairs an item gets its value but no interval (and a note saying so)."""
SCORE_AGREEMENT_TOLERANCE = 0.1
"""Two item scores (0-1) "agree" when they differ by at most this: exact on a 1-5 scale,
within 10 points on a measured item with partial credit."""
PAIR_COLUMNS = [
    "audit_id_a",
    "audit_id_b",
    "auditor_a",
    "auditor_b",
    "branch_code",
    "checklist_id",
    "visited_at",
    "checklist_version_a",
    "checklist_version_b",
    "overall_a",
    "overall_b",
]
_TINY = 1e-12

Statistic = Literal["AC1", "ICC"]


@dataclass(frozen=True)
class CalibrationPair:
    """Two audits of one visit by two auditors (``auditor_a`` sorts first)."""

    audit_id_a: int
    audit_id_b: int
    auditor_a: str
    auditor_b: str
    branch_code: str
    checklist_id: str
    visited_on: date
    overall_a: float | None
    overall_b: float | None


@dataclass(frozen=True)
class ItemAgreement:
    """How well paired auditors agree on one item (or, with ``item_id`` "overall", on the
    overall score)."""

    checklist_id: str
    section_id: str
    item_id: str
    item_type: str
    pairs: int
    """Pairs where both auditors gave the item a score."""
    left_out_na: int
    """Pairs left out because either answer was N/A, not asked, or missing."""
    percent_agreement: float | None
    """0-100: the same answer (yes/no) or scores within 0.1 of each other (scored items)."""
    statistic: Statistic
    value: float | None
    """AC1 or ICC(1), at most 1; None when it cannot be computed (see ``note``)."""
    low: float | None
    high: float | None
    note: str


@dataclass(frozen=True)
class AuditorPairAgreement:
    """Two auditors who scored the same visits, and how far apart their overall scores are."""

    auditor_a: str
    auditor_b: str
    pairs: int
    """Visits both scored (with an overall score each)."""
    mean_abs_difference: float | None
    """Mean of |overall_a - overall_b|, in points (0-100)."""
    abs_low: float | None
    abs_high: float | None
    mean_difference: float | None
    """Mean of overall_a - overall_b: positive when ``auditor_a`` scores the same visits
    higher (more leniently) than ``auditor_b``."""
    low: float | None
    high: float | None
    note: str


@dataclass(frozen=True)
class Calibration:
    """Everything about calibration pairs in a selection."""

    pairs: tuple[CalibrationPair, ...]
    items: tuple[ItemAgreement, ...]
    """Per checklist and item, in checklist order."""
    auditor_pairs: tuple[AuditorPairAgreement, ...]
    """Most pairs first."""
    overall: ItemAgreement | None
    """ICC(1) of the overall scores over all pairs (scores read as 0-1, so its percent
    agreement counts pairs within 10 points); ``item_id`` "overall", no checklist or
    section. None when there is no pair."""
    method: str

    @property
    def empty(self) -> bool:
        return not self.pairs


NO_CALIBRATION = Calibration((), (), (), None, N_("No calibration pairs in this selection."))
"""Its method is English: a result holds it translated (``_(NO_CALIBRATION.method)``)."""


# ---------------------------------------------------------------------------
# Finding the pairs
# ---------------------------------------------------------------------------


NOT_PAIRED_KINDS = ("follow_up", "self_assessment")
"""A follow-up re-checks a few items; a self-assessment is the branch's own view, not a
second auditor's: neither is a calibration of the visit it shares a day with."""


def find_calibration_pairs(audits: pd.DataFrame) -> pd.DataFrame:
    """Every pair of audits of one branch, checklist and visit day by different auditors.

    ``audits`` is the comparison's audit frame (``audit_id, branch_code, checklist_id,
    checklist_version, kind, auditor, visited_at, overall`` and, when present,
    ``visit_reference``). Follow-ups never pair; two audits that both carry a reference
    pair only when the references are equal. Three auditors on one visit give three pairs.
    ``auditor_a`` sorts before ``auditor_b`` (names compared ignoring case and outer
    spaces, so one person typed twice is not a pair); ``visited_at`` is the visit's day.
    """
    if audits.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    frame = audits[~audits["kind"].astype(str).isin(NOT_PAIRED_KINDS)]
    frame = frame.assign(
        day=pd.to_datetime(frame["visited_at"]).dt.normalize(),
        who=frame["auditor"].astype(str).str.strip().str.casefold(),
        reference=(
            frame["visit_reference"] if "visit_reference" in frame else pd.Series(None, frame.index)
        ),
    )[
        [
            "audit_id",
            "branch_code",
            "checklist_id",
            "checklist_version",
            "auditor",
            "who",
            "day",
            "reference",
            "overall",
        ]
    ]
    joined = frame.merge(frame, on=["branch_code", "checklist_id", "day"], suffixes=("_a", "_b"))
    both_referenced = joined["reference_a"].notna() & joined["reference_b"].notna()
    keep = (joined["who_a"] < joined["who_b"]) & ~(
        both_referenced & (joined["reference_a"] != joined["reference_b"])
    )
    pairs = joined[keep].rename(columns={"day": "visited_at"})
    pairs = pairs.sort_values(
        ["visited_at", "branch_code", "checklist_id", "who_a", "who_b", "audit_id_a", "audit_id_b"],
        ignore_index=True,
    )
    return pairs[PAIR_COLUMNS]


# ---------------------------------------------------------------------------
# The statistics
# ---------------------------------------------------------------------------


def gwet_ac1(
    n11: np.ndarray | float,
    n10: np.ndarray | float,
    n01: np.ndarray | float,
    n00: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """Gwet's AC1 and its variance for two raters on a yes/no item, from the 2x2 counts
    (``n10``: rater a said yes, rater b no). Works element-wise on arrays.

    ``pa`` = share of pairs agreeing; ``pi`` = share of "yes" over both raters;
    ``pe = 2 pi (1 - pi)`` (chance agreement, Gwet's ``sum pi_k (1 - pi_k) / (q - 1)``
    with q = 2); ``AC1 = (pa - pe) / (1 - pe)``. The variance is Gwet's (2008) linearised
    one for two raters: the variance over pairs of ``g = agree - 2 (1 - AC1) c``, where
    ``c = 1 - (pi_k + pi_l) / 2`` for the pair's answers k and l, divided by
    ``n (1 - pe)^2`` (the subjects a sample of a large population).
    """
    n11, n10, n01, n00 = (np.asarray(x, dtype=float) for x in (n11, n10, n01, n00))
    n = n11 + n10 + n01 + n00
    pa = (n11 + n00) / n
    pi = (2 * n11 + n10 + n01) / (2 * n)
    pe = 2 * pi * (1 - pi)
    ac1 = (pa - pe) / (1 - pe)
    slack = 2 * (1 - ac1)
    g_yes = 1 - slack * (1 - pi)  # both said yes: c = 1 - pi
    g_no = 1 - slack * pi  # both said no: c = pi
    g_split = -slack * 0.5  # they differ: c = 1/2
    mean_g = (n11 * g_yes + n00 * g_no + (n10 + n01) * g_split) / n
    mean_g2 = (n11 * g_yes**2 + n00 * g_no**2 + (n10 + n01) * g_split**2) / n
    variance = np.clip(mean_g2 - mean_g**2, 0, None) / (n * (1 - pe) ** 2)
    return ac1, variance


def icc_oneway(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ICC(1) for two ratings per subject along the last axis: (icc, msb, msw).

    With k = 2 ratings per subject and n subjects: ``MSB = 2 var(subject means)`` (n - 1
    degrees of freedom), ``MSW = mean((a - b)^2) / 2`` (n degrees of freedom),
    ``ICC(1) = (MSB - MSW) / (MSB + MSW)``; NaN where both are 0 (every score the same).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    means = (a + b) / 2
    msb = 2 * np.var(means, axis=-1, ddof=1)
    msw = np.mean((a - b) ** 2, axis=-1) / 2
    total = msb + msw
    with np.errstate(invalid="ignore", divide="ignore"):
        icc = np.where(total > _TINY, (msb - msw) / np.where(total > _TINY, total, 1), np.nan)
    return icc, msb, msw


def icc_interval(msb: np.ndarray, msw: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """McGraw & Wong's (1996, case 1) 90 % interval for ICC(1) with k = 2 raters:
    ``F = MSB / MSW``, ``FL = F / F_0.95(n - 1, n)``, ``FU = F x F_0.95(n, n - 1)``,
    bounds ``(FL - 1) / (FL + 1)`` and ``(FU - 1) / (FU + 1)``. Exact under normal scores."""
    from scipy.special import fdtri

    upper_tail = 0.5 + CONFIDENCE / 2
    msb, msw = np.asarray(msb, dtype=float), np.asarray(msw, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = msb / msw
        f_low = f / fdtri(n - 1, n, upper_tail)
        f_high = f * fdtri(n, n - 1, upper_tail)
        low = np.where(np.isfinite(f_low), (f_low - 1) / (f_low + 1), 1.0)
        high = np.where(np.isfinite(f_high), (f_high - 1) / (f_high + 1), 1.0)
    return low, high


# ---------------------------------------------------------------------------
# Agreement per item, per auditor pair, overall
# ---------------------------------------------------------------------------


def calibrate(
    pairs: pd.DataFrame,
    item_rows: pd.DataFrame,
    versions: Mapping[tuple[str, int], Checklist],
) -> Calibration:
    """Agreement per item, per auditor pair and on the overall score.

    ``pairs`` comes from :func:`find_calibration_pairs`; ``item_rows`` (``audit_id,
    item_id, score``, score 0-1 and NaN for N/A) holds at least the paired audits' answers;
    ``versions`` every checklist version the paired audits were scored with.
    """
    if pairs.empty:
        return Calibration((), (), (), None, _(NO_PAIRS))
    scores = item_rows.pivot_table(
        index="audit_id", columns="item_id", values="score", aggfunc="first", dropna=False
    )
    items = tuple(
        agreement
        for checklist_id, group in pairs.groupby("checklist_id", sort=True)
        for agreement in _checklist_items(str(checklist_id), group, scores, versions)
    )
    return Calibration(
        pairs=_pair_objects(pairs),
        items=items,
        auditor_pairs=_auditor_pairs(pairs),
        overall=_overall(pairs),
        method=_method(len(pairs)),
    )


NO_PAIRS = N_(
    "No calibration pairs: no two auditors scored the same branch with the same checklist "
    "on the same day in this selection."
)
"""In English; an empty calibration's method holds it in the current language."""


def _pair_objects(pairs: pd.DataFrame) -> tuple[CalibrationPair, ...]:
    columns = [
        pairs["audit_id_a"].astype(int).to_list(),
        pairs["audit_id_b"].astype(int).to_list(),
        pairs["auditor_a"].astype(str).to_list(),
        pairs["auditor_b"].astype(str).to_list(),
        pairs["branch_code"].astype(str).to_list(),
        pairs["checklist_id"].astype(str).to_list(),
        pd.to_datetime(pairs["visited_at"]).dt.date.to_list(),
        [_optional(x) for x in pairs["overall_a"].to_list()],
        [_optional(x) for x in pairs["overall_b"].to_list()],
    ]
    return tuple(CalibrationPair(*row) for row in zip(*columns, strict=True))


def _checklist_items(
    checklist_id: str,
    pairs: pd.DataFrame,
    scores: pd.DataFrame,
    versions: Mapping[tuple[str, int], Checklist],
) -> list[ItemAgreement]:
    """One agreement per scored item of the newest version the pairs used."""
    used = set(pairs["checklist_version_a"].astype(int)) | set(
        pairs["checklist_version_b"].astype(int)
    )
    checklist = versions[(checklist_id, max(used))]
    ids_a = pairs["audit_id_a"].to_numpy()
    ids_b = pairs["audit_id_b"].to_numpy()
    found = []
    for item in checklist.items:
        if not item.scored:
            continue
        a = _scores_of(scores, item.id, ids_a)
        b = _scores_of(scores, item.id, ids_b)
        section_id = checklist.section_of[item.id]
        both = ~(np.isnan(a) | np.isnan(b))
        found.append(
            _agreement(
                checklist_id, section_id, item.id, item.type, a[both], b[both], int((~both).sum())
            )
        )
    return found


def _scores_of(scores: pd.DataFrame, item_id: str, audit_ids: np.ndarray) -> np.ndarray:
    if item_id not in scores.columns:
        return np.full(len(audit_ids), np.nan)
    return scores[item_id].reindex(audit_ids).to_numpy(dtype=float)


def _agreement(
    checklist_id: str,
    section_id: str,
    item_id: str,
    item_type: str,
    a: np.ndarray,
    b: np.ndarray,
    left_out: int,
) -> ItemAgreement:
    if item_type == "yes_no":
        return _yes_no_agreement(checklist_id, section_id, item_id, a, b, left_out)
    return _score_agreement(checklist_id, section_id, item_id, item_type, a, b, left_out)


def _yes_no_agreement(
    checklist_id: str, section_id: str, item_id: str, a: np.ndarray, b: np.ndarray, left_out: int
) -> ItemAgreement:
    n = len(a)
    if n == 0:
        return ItemAgreement(
            checklist_id=checklist_id,
            section_id=section_id,
            item_id=item_id,
            item_type="yes_no",
            pairs=0,
            left_out_na=left_out,
            percent_agreement=None,
            statistic="AC1",
            value=None,
            low=None,
            high=None,
            note=_(_NONE_LEFT),
        )
    yes_a, yes_b = a >= 0.5, b >= 0.5
    n11 = int((yes_a & yes_b).sum())
    n00 = int((~yes_a & ~yes_b).sum())
    n10 = int((yes_a & ~yes_b).sum())
    n01 = n - n11 - n00 - n10
    ac1, variance = (float(x) for x in gwet_ac1(n11, n10, n01, n00))
    percent = 100 * (n11 + n00) / n
    low = high = None
    note = ""
    if n < MIN_PAIRS_FOR_INTERVAL:
        note = _few()
    else:
        margin = t_quantile(n - 1) * float(np.sqrt(variance))
        low, high = max(-1.0, ac1 - margin), min(1.0, ac1 + margin)
        if variance <= _TINY:
            note = _("every pair gave the same answer: the interval cannot show chance")
    return ItemAgreement(
        checklist_id=checklist_id,
        section_id=section_id,
        item_id=item_id,
        item_type="yes_no",
        pairs=n,
        left_out_na=left_out,
        percent_agreement=percent,
        statistic="AC1",
        value=ac1,
        low=low,
        high=high,
        note=note,
    )


def _score_agreement(
    checklist_id: str,
    section_id: str,
    item_id: str,
    item_type: str,
    a: np.ndarray,
    b: np.ndarray,
    left_out: int,
) -> ItemAgreement:
    n = len(a)
    percent = 100 * float(np.mean(np.abs(a - b) <= SCORE_AGREEMENT_TOLERANCE + 1e-9)) if n else None
    value = low = high = None
    note = ""
    if n == 0:
        note = _(_NONE_LEFT)
    elif n < 2:
        note = _("one pair: an ICC needs at least two")
    else:
        icc, msb, msw = (float(x) for x in icc_oneway(a, b))
        if np.isnan(icc):
            note = _("every pair gave the same score: no spread to measure agreement against")
        else:
            value = icc
            if n < MIN_PAIRS_FOR_INTERVAL:
                note = _few()
            elif msw <= _TINY:
                note = _("every pair gave equal scores")
            else:
                bounds = icc_interval(np.asarray(msb), np.asarray(msw), n)
                low, high = float(bounds[0]), float(bounds[1])
    return ItemAgreement(
        checklist_id=checklist_id,
        section_id=section_id,
        item_id=item_id,
        item_type=item_type,
        pairs=n,
        left_out_na=left_out,
        percent_agreement=percent,
        statistic="ICC",
        value=value,
        low=low,
        high=high,
        note=note,
    )


_NONE_LEFT = N_("no pair with both answers scored (N/A or not asked)")


def _few() -> str:
    return _("fewer than {pairs} pairs: no interval").format(pairs=MIN_PAIRS_FOR_INTERVAL)


def _overall(pairs: pd.DataFrame) -> ItemAgreement:
    a = pairs["overall_a"].to_numpy(dtype=float) / 100
    b = pairs["overall_b"].to_numpy(dtype=float) / 100
    both = ~(np.isnan(a) | np.isnan(b))
    return _score_agreement("", "", "overall", "overall", a[both], b[both], int((~both).sum()))


def _auditor_pairs(pairs: pd.DataFrame) -> tuple[AuditorPairAgreement, ...]:
    scored = pairs[pairs["overall_a"].notna() & pairs["overall_b"].notna()]
    difference = scored["overall_a"].astype(float) - scored["overall_b"].astype(float)
    rows = [
        _auditor_pair(str(a), str(b), d.to_numpy(dtype=float))
        for (a, b), d in difference.groupby([scored["auditor_a"], scored["auditor_b"]], sort=True)
    ]
    rows.sort(key=lambda r: -r.pairs)  # stable: names in order within equal counts
    return tuple(rows)


def _auditor_pair(a: str, b: str, d: np.ndarray) -> AuditorPairAgreement:
    n = len(d)
    mean_abs, mean = float(np.mean(np.abs(d))), float(np.mean(d))
    if n < MIN_PAIRS_FOR_INTERVAL:
        return AuditorPairAgreement(a, b, n, mean_abs, None, None, mean, None, None, _few())
    t = t_quantile(n - 1) / float(np.sqrt(n))
    abs_margin = t * float(np.std(np.abs(d), ddof=1))
    margin = t * float(np.std(d, ddof=1))
    clear = mean - margin > 0 or mean + margin < 0
    note = (
        _("{auditor} scores the same visits higher").format(auditor=a if mean > 0 else b)
        if clear
        else ""
    )
    return AuditorPairAgreement(
        auditor_a=a,
        auditor_b=b,
        pairs=n,
        mean_abs_difference=mean_abs,
        abs_low=max(0.0, mean_abs - abs_margin),
        abs_high=mean_abs + abs_margin,
        mean_difference=mean,
        low=mean - margin,
        high=mean + margin,
        note=note,
    )


def _method(pairs: int) -> str:
    return ngettext(
        "Calibration: {pairs} pair of audits of the same branch, "
        "checklist and day by two different auditors (same agency reference where both "
        "have one; follow-ups left out). Yes/no items: Gwet's AC1 (chance-corrected "
        "agreement that stays stable when nearly every answer is yes), with Gwet's (2008) "
        "variance and a 90 % t interval. Scored items: the one-way intraclass correlation "
        "ICC(1), since each visit has its own pair of auditors; it counts a steady "
        "difference between auditors as disagreement; 90 % interval from the F "
        "distribution (McGraw & Wong 1996). 1 is perfect agreement, 0 no better than "
        "chance. Percent agreement: same answer, or item scores within 0.1 (exact on a "
        "1-5 scale). Pairs with an N/A answer are left out of that item. Below "
        "{minimum} pairs no interval is given. Auditor pairs: mean "
        "absolute difference of overall scores and mean difference (a - b; positive when "
        "a scores the same visits higher), each with a 90 % t interval.",
        "Calibration: {pairs} pairs of audits of the same branch, "
        "checklist and day by two different auditors (same agency reference where both "
        "have one; follow-ups left out). Yes/no items: Gwet's AC1 (chance-corrected "
        "agreement that stays stable when nearly every answer is yes), with Gwet's (2008) "
        "variance and a 90 % t interval. Scored items: the one-way intraclass correlation "
        "ICC(1), since each visit has its own pair of auditors; it counts a steady "
        "difference between auditors as disagreement; 90 % interval from the F "
        "distribution (McGraw & Wong 1996). 1 is perfect agreement, 0 no better than "
        "chance. Percent agreement: same answer, or item scores within 0.1 (exact on a "
        "1-5 scale). Pairs with an N/A answer are left out of that item. Below "
        "{minimum} pairs no interval is given. Auditor pairs: mean "
        "absolute difference of overall scores and mean difference (a - b; positive when "
        "a scores the same visits higher), each with a 90 % t interval.",
        pairs,
    ).format(pairs=pairs, minimum=MIN_PAIRS_FOR_INTERVAL)


def _optional(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
