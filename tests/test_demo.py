"""The demo chain: deterministic, realistic in structure, and loaded only once."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from audit_app.checklists import Catalogue
from audit_app.demo import DemoData, generate
from audit_app.domain.scoring import score_audit
from audit_app.services.audits import list_scores
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data(catalogue: Catalogue) -> DemoData:
    return generate(catalogue.latest())


@pytest.fixture(scope="module")
def scored(data: DemoData, catalogue: Catalogue) -> pd.DataFrame:
    branches = {b.code: b for b in data.branches}
    rows = []
    for record in data.audits:
        visit = record.visit
        card = score_audit(
            catalogue.get(visit.checklist_id, visit.checklist_version), record.answers
        )
        rows.append(
            {
                "branch": visit.branch_code,
                "region": branches[visit.branch_code].region,
                "country": branches[visit.branch_code].country,
                "auditor": visit.auditor,
                "month": visit.visited_at.month,
                "visited_at": visit.visited_at,
                "checklist": visit.checklist_id,
                "overall": card.overall,
                "critical": card.critical_failure,
            }
        )
    return pd.DataFrame(rows)


def test_the_same_seed_gives_the_same_data(data: DemoData, catalogue: Catalogue) -> None:
    assert generate(catalogue.latest()) == data
    assert generate(catalogue.latest(), seed=1) != data


def test_the_chain_spans_three_countries_and_enough_regions(data: DemoData) -> None:
    assert len(data.branches) >= 40
    assert len({b.region for b in data.branches}) >= 4
    assert {b.country for b in data.branches} == {"ES", "RO", "TR"}
    assert len({b.code for b in data.branches}) == len(data.branches)


def test_a_year_of_visits_every_answer_valid(scored: pd.DataFrame) -> None:
    span = scored["visited_at"].max() - scored["visited_at"].min()
    assert span.days >= 330
    assert scored["visited_at"].dt.to_period("M").nunique() == 12
    assert scored["overall"].between(0, 100).all()  # score_audit accepted every audit


def test_branches_differ_for_real(scored: pd.DataFrame) -> None:
    groups = [g["overall"].to_numpy() for _, g in scored.groupby("branch") if len(g) >= 5]
    assert stats.f_oneway(*groups).pvalue < 1e-6


def test_one_auditor_is_lenient_and_summer_dips(scored: pd.DataFrame) -> None:
    istanbul = scored[scored["region"] == "Istanbul"]
    by_auditor = istanbul.groupby("auditor")["overall"].mean()
    assert by_auditor.idxmax() == "Mehmet Kaya"
    by_month = scored.groupby("month")["overall"].mean()
    assert by_month[8] < by_month.drop([8, 12, 1, 7]).mean()


def test_some_critical_failures_and_some_na(data: DemoData, scored: pd.DataFrame) -> None:
    assert 5 <= scored["critical"].sum() <= 0.08 * len(scored)
    assert any(answer.na for record in data.audits for answer in record.answers)


def test_demo_loads_once(ctx: AppContext, data: DemoData) -> None:
    first = load_demo(ctx)
    assert (first.branches_added, first.audits_added) == (len(data.branches), len(data.audits))
    second = load_demo(ctx)
    assert (second.branches_added, second.audits_added) == (0, 0)
    assert second.audits_already_present == len(data.audits)
    assert len(list_scores(ctx)) == len(data.audits)


def test_the_committed_sample_files_match_the_generator(tmp_path: Path, data: DemoData) -> None:
    spec = importlib.util.spec_from_file_location("generate", REPO / "sample_data" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for written in module.write_demo_files(data, tmp_path):
        committed = REPO / "sample_data" / "demo" / written.name
        assert committed.read_bytes() == written.read_bytes(), (
            f"{committed} is stale: run `make sample-data`"
        )
