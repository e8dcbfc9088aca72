"""The pages stay up with the longest accepted values and with visits on the first and the
last accepted day (2000-01-01 and tomorrow): Compare (every tab), the audit page with its
correction, appeal and resolution, the branch page and the actions page."""

from __future__ import annotations

import pytest

from audit_app.services.context import AppContext
from audit_app.ui.pages.compare_page import TABS
from tests.hostile.longest import CODE, MARK, LongestWorld, build_world
from tests.ui.apptest import HQ, run_app, texts
from tests.ui.test_compare_page import open_tab


@pytest.fixture
def world(ctx: AppContext) -> LongestWorld:
    return build_world(ctx)


def _frames(app: object) -> str:
    return "\n".join(frame.value.to_csv() for frame in app.dataframe)  # type: ignore[attr-defined]


def test_compare_shows_every_tab_from_the_first_to_the_last_accepted_day(
    world: LongestWorld,
) -> None:
    app = run_app(HQ, page="compare")
    shown = []
    for tab in TABS:
        open_tab(app, tab)
        shown.append(texts(app) + _frames(app))
    assert CODE in shown[0] and MARK in "".join(shown)


def test_the_audit_page_shows_the_longest_values(world: LongestWorld) -> None:
    app = run_app(HQ, "audit", {"id": str(world.audit_id)})
    assert not app.exception
    assert (texts(app) + _frames(app)).count(MARK) >= 10


def test_the_branch_and_actions_pages_show_the_longest_values(world: LongestWorld) -> None:
    branch = run_app(HQ, "branch", {"code": CODE})
    assert MARK in texts(branch) + _frames(branch)
    actions = run_app(HQ, "actions", {"id": str(world.action_id)})
    assert MARK in texts(actions) + _frames(actions)
