"""The Actions page (and the actions on Overview and Branch), run headless with AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from audit_app.services.actions import ActionFilter, action_history, list_actions
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from tests.ui.apptest import GUEST, HQ, MARTA, run_app, texts
from tests.ui.detail_downloads import download_bytes, downloads

__all__ = ["downloads"]  # the fixture, imported for the tests below


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def _foreign(ctx: AppContext) -> tuple[set[str], set[str]]:
    """Codes and names of the demo branches outside Marta's area (Barcelona)."""
    others = [b for b in list_branches(ctx) if b.area != "Barcelona"]
    return {b.code for b in others}, {b.name for b in others}


@pytest.mark.usefixtures("ctx")
def test_an_empty_database_says_where_actions_come_from() -> None:
    app = run_app(HQ, page="actions")
    assert app.title[0].value == "Actions"
    assert "No corrective actions yet" in app.info[0].value
    assert not app.dataframe


@pytest.mark.usefixtures("downloads")
def test_head_office_lists_filters_and_edits_an_action(ctx: AppContext) -> None:
    # Loaded and read on the calendar's today: the demo's open actions are due relative to
    # the load day, so some are overdue and some not on any day (tests/ui/test_demo_ages.py).
    load_demo(ctx)
    app = run_app(HQ, page="actions")
    listed = app.dataframe[0].value
    expected = list_actions(ctx, ActionFilter(status=("open", "in_progress")))
    assert metrics(app)["Actions"] == f"{len(expected):,}" and len(listed) == len(expected)
    assert list(listed["id"]) == [a.id for a in expected]
    overdue = sum(a.overdue for a in expected)
    assert 0 < overdue < len(expected) and metrics(app)["Overdue"] == str(overdue)
    csv = download_bytes(app, "actions_csv").decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == len(expected) + 1

    app.toggle(key="actions_overdue").set_value(True).run()
    assert app.dataframe[0].value["overdue"].all() and len(app.dataframe[0].value) == overdue

    first = int(app.dataframe[0].value["id"][0])
    app.selectbox(key="actions_chosen").select(first).run()
    status = next(box for box in app.selectbox if box.label == "Status")
    status.select_index(1)  # open -> in progress
    app.text_input[0].input("Pere Soler")
    next(b for b in app.button if b.label == "Save").click().run()
    assert not app.exception
    assert app.success[0].value == f"Action #{first} saved: status, owner changed."
    assert [(e.by, e.field, e.new) for e in action_history(ctx, first)] == [
        ("hq", "status", "in_progress"),
        ("hq", "owner", "Pere Soler"),
    ]
    history = app.dataframe[-1].value
    assert list(history["field"]) == ["status", "owner"] and set(history["by"]) == {"hq"}


def test_an_area_manager_sees_only_their_areas_actions(ctx: AppContext, downloads: None) -> None:
    load_demo(ctx)
    codes, names = _foreign(ctx)
    app = run_app(MARTA, page="actions")
    listed = app.dataframe[0].value
    shown = {link.split("=", 1)[1] for link in listed["branch"]}
    assert shown and not shown & codes
    text = texts(app)
    assert not any(code in text for code in codes) and not any(name in text for name in names)
    csv = download_bytes(app, "actions_csv").decode("utf-8")
    assert "ES-CAT" in csv and not any(code in csv for code in codes)
    assert not any(name in csv for name in names)
    app.selectbox(key="actions_chosen").select(int(listed["id"][0])).run()
    assert any(b.label == "Save" for b in app.button)  # her area: she may change it


def test_a_viewer_reads_but_cannot_change(ctx: AppContext) -> None:
    load_demo(ctx)
    code = list_actions(ctx)[0].branch_code
    app = run_app(GUEST, page="actions", query={"code": code})
    listed = app.dataframe[0].value
    assert {link.split("=", 1)[1] for link in listed["branch"]} == {code}
    app.selectbox(key="actions_chosen").select(int(listed["id"][0])).run()
    assert not any(b.label == "Save" for b in app.button)
    assert "Only head office and the branch's area manager" in texts(app)


def test_overview_and_branch_show_the_open_actions(ctx: AppContext) -> None:
    load_demo(ctx)
    open_ = list_actions(ctx, ActionFilter(status=("open", "in_progress")))
    overdue = sum(a.overdue for a in open_)
    assert metrics(run_app(HQ))["Overdue actions"] == f"{overdue:,}"
    marta_overdue = sum(a.overdue for a in list_actions(ctx.as_user(MARTA)))
    assert metrics(run_app(MARTA))["Overdue actions"] == f"{marta_overdue:,}"

    code = open_[0].branch_code
    branch = run_app(HQ, page="branch", query={"code": code})
    assert "Open corrective actions" in [h.value for h in branch.subheader]
    mine = [a for a in open_ if a.branch_code == code]
    assert list(branch.dataframe[-1].value["id"]) == [a.id for a in mine]


def test_a_row_link_opens_the_action_and_its_details_name_things(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(MARTA, page="actions")
    listed = app.dataframe[0].value
    assert set(listed["open"]) == {f"actions?id={n}" for n in listed["id"]}  # rows open
    done = list_actions(ctx.as_user(MARTA), ActionFilter(status=("done",)))[0]
    app = run_app(MARTA, page="actions", query={"id": str(done.id)})  # filtered out: opens
    assert app.selectbox(key="actions_chosen").value == done.id
    details = next(m.value for m in app.markdown if m.value.startswith(f"**{done.item}**"))
    checklist = ctx.catalogue.get(done.checklist_id)
    assert checklist.title_in("en") in details and done.branch_name in details
    assert done.item_id not in details and f"{checklist.id} " not in details  # no ids
    assert "Status: Done" in details


def test_a_branch_moved_out_of_her_area_leaves_her_actions_at_once(ctx: AppContext) -> None:
    """The list is cached per actions' version; a branch moved to another area changes no
    action, yet its actions are no longer hers to see (nor a branch renamed shown by its old
    name)."""
    from audit_app.services.branches import update_branches

    load_demo(ctx)
    app = run_app(MARTA, page="actions")

    def shown() -> set[str]:
        return {link.split("=", 1)[1] for link in app.dataframe[0].value["branch"]}

    moved = sorted(shown())[0]
    other = next(b.area for b in list_branches(ctx) if b.area != "Barcelona")
    update_branches(ctx.as_user(HQ), {moved: {"area": other}})
    app.run()
    assert not app.exception, app.exception
    assert shown() and moved not in shown()
