"""Failures and their photos on the pages: the Compare page's failed items and the Branch
page's repeated failures carry Failures and With photos columns, scoped like the rest."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from audit_app.domain.checklist import localized
from audit_app.services.context import AppContext
from tests.services.photo_world import GREETING, SPEECH, evidence_world
from tests.ui.apptest import HQ, MARTA, run_app
from tests.ui.test_compare_page import open_tab

PHONE = "greeting_phone"


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    evidence_world(ctx)
    return ctx


def _table(app: AppTest, column: str) -> pd.DataFrame:
    frames: list[Any] = [f.value for f in app.dataframe if column in f.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


def _counts(ctx: AppContext, frame: pd.DataFrame, column: str) -> dict[str, tuple[int, int]]:
    checklist = ctx.catalogue.get(PHONE)
    question = {
        localized(checklist.items_by_id[i].text, "en", checklist.language): i
        for i in (GREETING, SPEECH)
    }
    return {
        question[row[column]]: (int(row["Failures"]), int(row["With photos"]))
        for _i, row in frame.iterrows()
    }


@pytest.mark.parametrize(
    ("user", "expected"),
    [(HQ, {GREETING: (4, 3), SPEECH: (2, 1)}), (MARTA, {GREETING: (3, 2), SPEECH: (1, 0)})],
)
def test_the_compare_page_lists_failed_items_with_their_photos(
    world: AppContext, user: Any, expected: dict[str, tuple[int, int]]
) -> None:
    app = run_app(user, page="compare")
    open_tab(app, "Consistency")
    frame = _table(app, "With photos")
    assert _counts(world, frame, "Item") == expected
    assert list(frame["Failures"]) == sorted(frame["Failures"], reverse=True)


def test_the_branch_page_shows_failures_and_photos_of_a_repeated_failure(
    world: AppContext,
) -> None:
    app = run_app(HQ, page="branch", query={"code": "ES-01"})
    frame = _repeated(app)
    assert _counts(world, frame, "Item") == {GREETING: (2, 1)}


def _repeated(app: AppTest) -> pd.DataFrame:
    frames = [f for f in app.dataframe if "with_photos" in f.value.columns]
    assert frames, "no repeated failures table"
    return frames[0].value.rename(
        columns={"item": "Item", "failures": "Failures", "with_photos": "With photos"}
    )
