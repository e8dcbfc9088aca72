"""The visit form's auditor (AppTest): chosen from the auditors with the user's own first,
a new name typed in with a near-miss warning, and the submitted visit linked to the person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from audit_app.services import auditors
from audit_app.services.audits import list_scores
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.storage import database
from audit_app.storage.tables import audits
from tests.ui.apptest import HQ, MARTA, texts
from tests.ui.test_new_visit_page import BEST, BRANCHES, button, fill, key, new_phone_visit


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    auditors.add_auditor(ctx, "Anna Roig", kind="agency", organisation="Client Ocult SL")
    auditors.add_auditor(ctx, "Marta Puig", username="marta", areas=["Barcelona"])
    auditors.add_auditor(ctx, "Pau Soler", areas=["Madrid"])  # not Marta's area
    auditors.add_auditor(ctx, "Xavier Mas")  # anywhere
    return ctx


def _linked(ctx: AppContext) -> list[tuple[str, int | None]]:
    with database.snapshot(ctx.engine) as conn:
        return [tuple(r) for r in conn.execute(select(audits.c.auditor, audits.c.auditor_id))]


def typed(app, name: str):  # type: ignore[no-untyped-def]
    """A new name typed into the field: the browser sends it as the chosen text, which
    AppTest does once the name is among the options it knows."""
    field = app.selectbox(key="nv_auditor")
    field.options.append(name)
    field.set_value(name).run()
    assert app.selectbox(key="nv_auditor").value == name
    return app


def _submit(app):  # type: ignore[no-untyped-def]
    fill(app, BEST)
    app.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    button(app, "Submit").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    return app


def test_the_users_own_auditor_comes_first_and_is_the_default(world: AppContext) -> None:
    app = new_phone_visit(MARTA)
    field = app.selectbox(key="nv_auditor")
    assert field.options == ["Marta Puig", "Anna Roig", "Xavier Mas"]  # Madrid's Pau left out
    assert field.value == "Marta Puig"
    head_office = new_phone_visit(HQ)
    assert head_office.selectbox(key="nv_auditor").options[:4] == [
        "Anna Roig",
        "Marta Puig",
        "Pau Soler",
        "Xavier Mas",
    ]


def test_an_auditor_chosen_from_the_list_is_linked(world: AppContext) -> None:
    app = new_phone_visit(MARTA)
    app.selectbox(key="nv_auditor").set_value("Anna Roig").run()
    assert not app.warning
    _submit(app)
    assert _linked(world) == [("Anna Roig", auditors.find_auditor(world, "Anna Roig").id)]


def test_a_new_name_close_to_an_auditor_warns_and_is_added_on_submit(world: AppContext) -> None:
    app = new_phone_visit(MARTA)
    typed(app, "Ana Roig")
    assert [w.value for w in app.warning] == [
        "'Ana Roig' is close to the auditor 'Anna Roig': same person? Pick them from the "
        "list, or keep the new name."
    ]
    _submit(app)
    assert list(list_scores(world.as_user(MARTA))["auditor"]) == ["Ana Roig"]
    assert _linked(world) == [("Ana Roig", auditors.find_auditor(world, "Ana Roig").id)]


def test_a_new_name_like_no_one_says_it_will_be_added(world: AppContext) -> None:
    app = new_phone_visit(MARTA)
    typed(app, "Queralt Bosch")
    assert not app.warning
    assert "'Queralt Bosch' is a new auditor: added to the list when the visit is submitted." in (
        texts(app)
    )
