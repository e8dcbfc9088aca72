"""Change between two periods per branch, with a 90 % interval, the clear changes first.

A branch's change is its later period's mean minus its earlier period's mean. Its standard
error is ``s * sqrt(1/n1 + 1/n2)`` with ``s²`` the pooled visit-to-visit noise, and the
interval uses Student's t with that noise's degrees of freedom: a branch audited twice
cannot say much on its own, the whole selection says how noisy one visit is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit_app.domain.compare.codes import sorted_codes
from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.periods import align_periods
from audit_app.domain.compare.variance import _TINY, FEW_NOISE_DF, t_quantile
from audit_app.domain.compare.words import num
from audit_app.domain.scoring import display
from audit_app.i18n import _, ngettext


@dataclass(frozen=True)
class BranchChange:
    branch_code: str
    branch_name: str
    earlier_audits: int
    later_audits: int
    earlier_mean: float
    later_mean: float
    change: float
    """Later mean minus earlier mean (points; negative: the branch went down)."""
    low: float | None
    """90 % interval of the change (later - earlier); None without a noise estimate."""
    high: float | None
    clear: bool
    """The interval excludes 0: the branch clearly went up or down."""
    sentence: str
    """E.g. "down 6.2 points, 90 % interval 1.1 to 11.3" (the interval of the drop)."""


@dataclass(frozen=True)
class Changes:
    earlier: str | None
    later: str | None
    rows: tuple[BranchChange, ...]
    """Branches audited in both periods: clear changes first, then the largest changes."""
    method: str
    notices: tuple[Notice, ...]
    within: float | None = None
    """The noise variance the intervals use."""
    df: int = 0
    """Its degrees of freedom."""


NO_CHANGES = Changes(None, None, (), "No change between periods: nothing to compare.", ())


def branch_changes(
    audits: pd.DataFrame,
    period_of: pd.Series,
    *,
    earlier: str | None = None,
    later: str | None = None,
    within: float | None = None,
    df: int | None = None,
    fallback: tuple[float | None, int] | None = None,
) -> Changes:
    """Per branch audited in both periods: earlier and later mean, change, 90 % interval.

    ``period_of``: each audit's period label, indexed like ``audits`` (or by audit id);
    periods are ordered by an ordered categorical's order, else as sorted labels
    ('2026-03', '2026Q1', 'W02').
    ``later`` defaults to the last period with scored audits, ``earlier`` to the latest
    period before it that shares a branch with it.
    ``within`` and ``df``: the pooled noise variance and its degrees of freedom (e.g. from
    the comparison's period fit); without them, the noise is pooled within branch x period
    cells over the whole selection (audits - cells degrees of freedom), which assumes
    nothing about how branches change; when that rests on fewer than 20 degrees of freedom
    (a branch is rarely audited twice in one month) ``fallback`` (e.g. the league's noise
    net of branch levels and period effects: wider, since it also counts a branch's own
    drift as noise) is used instead.
    """
    has_score = audits["overall"].notna().to_numpy()
    labels = align_periods(period_of, audits)
    order = _period_order(labels[has_score])
    scored = audits[has_score]
    overall = scored["overall"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "branch_code": scored["branch_code"].to_numpy(),
            "period": labels[has_score].astype(str).to_numpy(),
            "overall": overall,
            "overall_sq": overall**2,
        }
    )
    totals = (
        frame.groupby(["branch_code", "period"], sort=True)
        .agg(audits=("overall", "size"), sum=("overall", "sum"), sum_sq=("overall_sq", "sum"))
        .reset_index()
    )
    if "branch_name" in scored.columns:
        names = scored.groupby("branch_code")["branch_name"].first()
        totals["branch_name"] = totals["branch_code"].map(names)
    return changes_from_totals(
        totals, order=order, earlier=earlier, later=later, within=within, df=df, fallback=fallback
    )


def changes_from_totals(
    totals: pd.DataFrame,
    *,
    order: list[str] | None = None,
    earlier: str | None = None,
    later: str | None = None,
    within: float | None = None,
    df: int | None = None,
    fallback: tuple[float | None, int] | None = None,
) -> Changes:
    """:func:`branch_changes` from per branch x period totals (``branch_code``, ``period``,
    ``audits``, ``sum``, ``sum_sq`` and, if known, ``branch_name``): what a comparison that
    the database added up has. ``order``: the periods in order (default: sorted labels)."""
    totals = totals[totals["audits"] > 0]
    # periods by code: their labels written once each, not once per branch and period
    period_codes, distinct = sorted_codes(totals["period"])
    labels_of = [str(label) for label in distinct.tolist()]
    code_of = {label: code for code, label in enumerate(labels_of)}
    if order is None:
        order = sorted(set(labels_of))
    if earlier is None or later is None:
        if len(order) < 2:
            return _without_periods(order)
        later = later or order[-1]
        earlier = earlier or _latest_shared(totals, period_codes, code_of, order, later)
    if within is None:
        within, df = _pooled_cell_noise(totals)
        if fallback is not None and (df or 0) < FEW_NOISE_DF and fallback[1] > (df or 0):
            within, df = fallback
    df = int(df or 0)
    noise = within if within is not None and df > 0 else None
    t = t_quantile(df) if noise is not None else float("nan")
    # Only the two periods' rows, as Python lists, for the loops below: zipping arrays makes
    # a numpy scalar of every value, and the whole history has 36 periods (#21)
    two = np.flatnonzero(
        (period_codes == code_of.get(earlier, -2)) | (period_codes == code_of.get(later, -2))
    )
    pair = totals.iloc[two]
    codes = pair["branch_code"].astype(str).tolist()
    n_array = pair["audits"].to_numpy(dtype=float)
    n = n_array.tolist()
    means = (pair["sum"].to_numpy(dtype=float) / n_array).tolist()
    has_names = "branch_name" in pair.columns
    names = pair["branch_name"].tolist() if has_names else codes
    labels = [labels_of[code] for code in period_codes[two].tolist()]
    words = _Words()
    before = {
        code: (int(count), float(mean), name)
        for code, count, mean, name, period in zip(codes, n, means, names, labels, strict=True)
        if period == earlier
    }
    rows = []
    for code, count, mean, name, period in zip(codes, n, means, names, labels, strict=True):
        if period != later or code not in before:
            continue
        n1, m1, _name = before[code]
        n2, m2 = int(count), float(mean)
        change = m2 - m1
        low = high = None
        if noise is not None:
            half = t * float(np.sqrt(noise / n1 + noise / n2))
            low, high = change - half, change + half
        clear = low is not None and high is not None and (low > _TINY or high < -_TINY)
        rows.append(
            BranchChange(
                branch_code=str(code),
                branch_name=str(name if has_names and isinstance(name, str) else code),
                earlier_audits=n1,
                later_audits=n2,
                earlier_mean=m1,
                later_mean=m2,
                change=change,
                low=low,
                high=high,
                clear=clear,
                sentence=change_sentence(change, low, high, words),
            )
        )
    rows.sort(key=lambda r: (not r.clear, -abs(r.change), r.branch_code))
    notices = _notices(earlier, later, rows, within, df)
    return Changes(earlier, later, tuple(rows), _method(earlier, later, df), notices, within, df)


class _Words:
    """The sentences' words in the current language, looked up once per table (5,000
    branches' sentences looked each up again, #21)."""

    def __init__(self) -> None:
        self.no_change = _("no change ({points} points)")
        self.down = _("down {points} points")
        self.up = _("up {points} points")
        self.no_interval = _("{change}, no interval (no noise estimate)")
        self.interval = _("{change}, 90 % interval {low} to {high}")


def change_sentence(
    change: float, low: float | None, high: float | None, words: _Words | None = None
) -> str:
    """'down 6.2 points, 90 % interval 1.1 to 11.3': the size of the move in its own
    direction, and the interval of that move (of the drop when it went down)."""
    words = words or _Words()
    shown = display(abs(change)) or 0.0
    if shown == 0:
        head, lo, hi = words.no_change.format(points=num(0.0)), low, high
    elif change < 0:
        head = words.down.format(points=num(shown))
        lo, hi = (None, None) if low is None or high is None else (-high, -low)
    else:
        head, lo, hi = words.up.format(points=num(shown)), low, high
    if lo is None or hi is None:
        return words.no_interval.format(change=head)
    return words.interval.format(change=head, low=_number(lo), high=_number(hi))


def _number(value: float) -> str:
    shown = display(value) or 0.0
    return num(0.0 if shown == 0 else shown)


def _latest_shared(
    totals: pd.DataFrame,
    period_codes: np.ndarray,
    code_of: dict[str, int],
    order: list[str],
    later: str,
) -> str:
    """The latest period before ``later`` in which a branch audited in ``later`` was also
    audited (the period just before when none was): a month in which no branch was seen
    twice would give an empty table. ``period_codes``: each row's period's code in
    ``code_of``."""
    before = order[: order.index(later)] if later in order else order[:-1]
    if not before:
        return order[0]
    branch_codes, branches = sorted_codes(totals["branch_code"])
    seen = np.zeros(len(branches), dtype=bool)
    seen[branch_codes[period_codes == code_of.get(later, -2)]] = True
    for period in reversed(before):
        if seen[branch_codes[period_codes == code_of.get(period, -2)]].any():
            return period
    return before[-1]


def _period_order(labels: pd.Series) -> list[str]:
    present = labels.dropna()
    if isinstance(present.dtype, pd.CategoricalDtype) and present.dtype.ordered:
        used = set(present.astype(str))
        return [str(c) for c in present.dtype.categories if str(c) in used]
    return sorted({str(v) for v in present})


def _pooled_cell_noise(totals: pd.DataFrame) -> tuple[float | None, int]:
    """Variance within branch x period cells, pooled: SS within cells / (audits - cells),
    each cell's SS as sum of squares minus sum squared over n."""
    n = totals["audits"].to_numpy(dtype=float)
    sums = totals["sum"].to_numpy(dtype=float)
    ss = np.clip(totals["sum_sq"].to_numpy(dtype=float) - sums**2 / n, 0.0, None)
    df = int(n.sum() - len(n))
    if df <= 0:
        return None, 0
    within = float(ss.sum() / df)
    return (0.0 if within < _TINY else within), df


def _without_periods(order: list[str]) -> Changes:
    message = (
        _(
            "The selection covers one period ({period}): there is no change between periods "
            "to show."
        ).format(period=order[0])
        if order
        else _("The selection covers one period: there is no change between periods to show.")
    )
    notice = Notice("too_few_periods", message, "info")
    method = _("Change between periods needs audits in two periods.")
    return Changes(order[-1] if order else None, None, (), method, (notice,))


def _notices(
    earlier: str, later: str, rows: list[BranchChange], within: float | None, df: int
) -> tuple[Notice, ...]:
    notices = []
    if not rows:
        notices.append(
            Notice(
                "too_few_periods",
                _("No branch was audited in both {earlier} and {later}.").format(
                    earlier=earlier, later=later
                ),
                "info",
            )
        )
    elif within is None or df <= 0:
        notices.append(
            Notice(
                "no_replicates",
                _(
                    "No branch has two audits in one period, so visit-to-visit noise cannot be "
                    "estimated: changes are shown without intervals."
                ),
            )
        )
    elif df < FEW_NOISE_DF:
        notices.append(
            Notice(
                "few_noise_degrees",
                ngettext(
                    "The visit-to-visit noise behind the change intervals rests on {df} "
                    "degree of freedom (t = {t} instead of {usual}): the intervals are wide "
                    "and rough.",
                    "The visit-to-visit noise behind the change intervals rests on {df} "
                    "degrees of freedom (t = {t} instead of {usual}): the intervals are wide "
                    "and rough.",
                    df,
                ).format(df=num(df, 0), t=num(t_quantile(df)), usual=num(1.6)),
            )
        )
    return tuple(notices)


def _method(earlier: str, later: str, df: int) -> str:
    return _(
        "Change per branch from {earlier} to {later}: the later period's mean minus the "
        "earlier one's, for branches audited in both. 90 % interval: change ± t × s × "
        "sqrt(1/n1 + 1/n2), with s² the pooled visit-to-visit noise and Student's t with "
        "its {df} degrees of freedom; a change is clear when its interval excludes 0. "
        "Clear changes are listed first, then the largest."
    ).format(earlier=earlier, later=later, df=num(df, 0))
