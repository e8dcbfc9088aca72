"""The views a comparison computes from branch x period totals (#21: the database adds the
totals up) equal the same views computed from every audit: the chain's trend, and the
changes' pooled noise, on unbalanced simulated selections (1 to 20 audits per branch,
periods with a single audit, identical scores, a ceiling at 100)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from audit_app.domain import compare
from audit_app.domain.compare.changes import changes_from_totals
from audit_app.domain.compare.comparison import collapse_periods, in_periods
from audit_app.domain.compare.summaries import chain_trend


def simulated(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    start = datetime(2025, 1, 1)
    for b in range(int(rng.integers(3, 25))):
        level = rng.normal(80, 8)
        for _ in range(int(rng.integers(1, 21))):
            score = float(np.clip(level + rng.normal(0, 6), 0, 100))
            if rng.random() < 0.1:
                score = 100.0
            rows.append(
                {
                    "branch_code": f"B{b:02d}",
                    "branch_name": f"Branch {b}",
                    "visited_at": start + timedelta(days=int(rng.integers(0, 400))),
                    "overall": round(score, 2),
                }
            )
    return pd.DataFrame(rows)


def totals_of(audits: pd.DataFrame, period: str) -> pd.DataFrame:
    labels = compare.period_labels(audits["visited_at"], period)  # type: ignore[arg-type]
    frame = audits.assign(period=labels, sq=audits["overall"] ** 2)
    return (
        frame.groupby(["branch_code", "period"], sort=True)
        .agg(
            branch_name=("branch_name", "first"),
            audits=("overall", "size"),
            sum=("overall", "sum"),
            sum_sq=("sq", "sum"),
        )
        .reset_index()
    )


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("period", ["month", "quarter"])
def test_the_chain_trend_from_totals_is_the_trend_from_audits(seed: int, period: str) -> None:
    audits = simulated(seed)
    want = compare.trend(audits, level="chain", period=period)  # type: ignore[arg-type]
    got = chain_trend(totals_of(audits, period))
    assert list(got.columns) == list(want.columns)
    assert got["period"].tolist() == want["period"].tolist()
    assert got["audits"].tolist() == want["audits"].tolist()
    for column in ("mean", "se", "change", "change_se"):
        np.testing.assert_allclose(got[column], want[column], rtol=1e-9, atol=1e-9)
    assert got["exceeds_noise"].astype(str).tolist() == want["exceeds_noise"].astype(str).tolist()


@pytest.mark.parametrize("seed", range(12))
def test_changes_from_totals_pool_the_noise_the_audits_give(seed: int) -> None:
    audits = simulated(seed)
    labels = compare.period_labels(audits["visited_at"], "quarter")
    cells = audits.assign(period=labels).groupby(["branch_code", "period"])["overall"]
    n = cells.size().to_numpy(dtype=float)
    ss = (cells.var(ddof=1).fillna(0.0) * (n - 1)).sum()
    df = int(n.sum() - len(n))
    got = changes_from_totals(totals_of(audits, "quarter"))
    if df > 0:
        assert got.df == df and got.within == pytest.approx(ss / df, rel=1e-9, abs=1e-12)
    from_audits = compare.branch_changes(audits, labels)
    assert got == from_audits


def reference_month_cells(rows: pd.DataFrame, audits: pd.DataFrame) -> pd.DataFrame:
    """The cells as a plain pandas groupby on the text keys (what month_cells was)."""
    joined = rows.dropna(subset=["score"]).merge(audits, on="audit_id")
    joined = joined.assign(
        period=joined["visited_at"].dt.strftime("%Y-%m"), sq=joined["score"] ** 2
    )
    keys = ["branch_code", "checklist_id", "section_id", "period"]
    cells = (
        joined.groupby(keys, sort=True)
        .agg(n=("score", "size"), sum=("score", "sum"), sum_sq=("sq", "sum"))
        .reset_index()
        .rename(columns={"section_id": "standard"})
    )
    return cells[["branch_code", "checklist_id", "standard", "n", "sum", "sum_sq", "period"]]


@pytest.mark.parametrize("seed", range(8))
def test_month_cells_add_up_what_a_groupby_on_the_text_keys_gives(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 400))
    codes = ["ES-CAT-01", "TR-İST-02", "RO-Ş-3", "ca-àèç", "Z", "A"]
    audits = pd.DataFrame(
        {
            "audit_id": np.arange(count) * 3 + 7,
            "branch_code": rng.choice(codes, count),
            "checklist_id": rng.choice(["greeting_phone", "returns", "e"], count),
            "visited_at": pd.Timestamp("2025-11-20")
            + pd.to_timedelta(rng.integers(0, 120, count), unit="D"),
        }
    )
    ids = np.concatenate([audits["audit_id"].to_numpy(), [1, 2]])  # two of no audit
    rows = pd.DataFrame(
        {
            "audit_id": np.repeat(ids, 3),
            "section_id": np.tile(["till", "floor", "ending"], len(ids)),
            "score": rng.choice([0.0, 50.0, 100.0, np.nan, 33.3], 3 * len(ids)),
        }
    )
    got = compare.month_cells(rows, audits, "section_id")
    want = reference_month_cells(rows, audits)
    keys = ["branch_code", "checklist_id", "standard", "period"]
    assert got[keys].astype(str).to_numpy().tolist() == want[keys].to_numpy().tolist()
    assert got["n"].tolist() == want["n"].tolist()
    np.testing.assert_allclose(got["sum"], want["sum"], rtol=1e-12)
    np.testing.assert_allclose(got["sum_sq"], want["sum_sq"], rtol=1e-12)
    empty = compare.month_cells(rows.iloc[:0], audits, "section_id")
    assert empty.empty and list(empty.columns) == list(got.columns)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("period", ["month", "quarter"])
def test_the_league_and_changes_from_month_totals_are_those_from_every_audit(
    seed: int, period: str
) -> None:
    """What ``compute_comparison`` now does (month totals, summed into the request's periods)
    against what it did (totals of each audit's own period label)."""
    from audit_app.domain.compare.request import ComparisonRequest

    audits = simulated(seed + 100)
    rng = np.random.default_rng(seed)
    audits = audits.assign(
        region=rng.choice(["north", "south"], len(audits)),
        country="ES",
        passed=rng.random(len(audits)) < 0.7,
        critical_failure=rng.random(len(audits)) < 0.1,
        branch_active=True,
    )
    labels = compare.period_labels(audits["visited_at"], period)  # type: ignore[arg-type]
    request = ComparisonRequest(period=period, min_audits=2)  # type: ignore[arg-type]
    totals = compare.totals_in_periods(compare.branch_month_totals(audits), period)  # type: ignore[arg-type]
    got = compare.league_of(request, totals, None)
    want = compare.rank_branches(compare.total_branch_periods(audits, labels), min_audits=2)
    assert [r.branch_code for r in got.rows] == [r.branch_code for r in want.rows]
    for mine, theirs in zip(got.rows, want.rows, strict=True):
        assert mine.audits == theirs.audits and mine.rank == theirs.rank
        assert mine.tie_band == theirs.tie_band
        assert mine.shrunk == pytest.approx(theirs.shrunk, rel=1e-9, abs=1e-9)
        assert mine.mean == pytest.approx(theirs.mean, rel=1e-12)
    mine_changes = changes_from_totals(totals)
    their_changes = compare.branch_changes(audits, labels)
    assert (mine_changes.earlier, mine_changes.later, mine_changes.df) == (
        their_changes.earlier,
        their_changes.later,
        their_changes.df,
    )
    assert mine_changes.within == pytest.approx(their_changes.within, rel=1e-9)
    assert len(mine_changes.rows) == len(their_changes.rows)
    for a, b in zip(mine_changes.rows, their_changes.rows, strict=True):
        assert (a.branch_code, a.earlier_audits, a.later_audits, a.clear, a.sentence) == (
            b.branch_code,
            b.earlier_audits,
            b.later_audits,
            b.clear,
            b.sentence,
        )
        assert (a.change, a.low, a.high) == pytest.approx((b.change, b.low, b.high), rel=1e-9)


def test_what_month_cells_feed_is_the_same_as_from_text_columns() -> None:
    """month_cells' text columns are categoricals of every audit's keys: a month, a branch
    whose audits scored no section is a category with no cell. Everything computed from
    the cells must not see it (pandas 2's ``observed=False`` would add it as an empty
    group), and must equal what the same cells with plain text columns give."""
    rng = np.random.default_rng(5)
    count = 240
    audits = pd.DataFrame(
        {
            "audit_id": np.arange(count),
            "branch_code": [f"B{b:02d}" for b in rng.integers(0, 12, count)],
            "checklist_id": rng.choice(["greeting_phone", "returns"], count),
            "visited_at": pd.Timestamp("2025-11-03")
            + pd.to_timedelta(rng.integers(0, 150, count), unit="D"),
        }
    )
    quiet = pd.DataFrame(
        {
            "audit_id": [count, count + 1],
            "branch_code": ["B00", "Z-QUIET"],
            "checklist_id": ["returns", "returns"],
            "visited_at": pd.to_datetime(["2026-09-15", "2026-01-10"]),
        }
    )
    audits = pd.concat([audits, quiet], ignore_index=True)
    ids = audits["audit_id"].to_numpy()
    rows = pd.DataFrame(
        {
            "audit_id": np.repeat(ids, 3),
            "section_id": np.tile(["till", "floor", "ending"], len(ids)),
            "score": rng.normal(75, 12, 3 * len(ids)).clip(0, 100),
        }
    )
    rows.loc[rows["audit_id"] >= count, "score"] = np.nan  # the quiet audits score nothing
    cells = compare.month_cells(rows, audits, "section_id")
    text = cells.astype({key: object for key in ["branch_code", "checklist_id", "standard"]})
    text = text.assign(period=cells["period"].astype(object))
    assert "2026-09" not in set(cells["period"].astype(str))

    got = compare.consistency_index_by_period_cells(cells)
    want = compare.consistency_index_by_period_cells(text)
    assert got["period"].tolist() == want["period"].tolist()
    assert got["branches"].tolist() == want["branches"].tolist()
    np.testing.assert_allclose(got["consistency_index"], want["consistency_index"])
    got_index = compare.index_per_period(cells)
    want_index = compare.index_per_period(text)
    assert got_index.index.astype(str).tolist() == want_index.index.astype(str).tolist()
    for period in ("month", "quarter"):
        got_cells = in_periods(cells, period)  # type: ignore[arg-type]
        want_cells = in_periods(text, period)  # type: ignore[arg-type]
        assert len(got_cells) == len(want_cells)
        assert compare.section_consistency(got_cells, {}) == compare.section_consistency(
            want_cells, {}
        )
    heatmap = compare.section_heatmap(collapse_periods(cells))
    assert "Z-QUIET" not in set(heatmap["branch_code"])
    assert len(heatmap) == len(collapse_periods(text))
