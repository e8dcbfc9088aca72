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
