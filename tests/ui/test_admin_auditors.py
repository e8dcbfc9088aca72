"""The Admin page's Auditors tab: head office lists the auditors with their audits, adds one
(a near miss is a warning first, then an explicit "Add anyway"), changes one's areas, merges
two names of one person (the audits move, the name goes) and is refused a merge onto itself;
an area manager has no Auditors tab."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from audit_app.domain.audit import AuditRecord
from audit_app.services import auditors
from audit_app.services.audits import submit_audit
from audit_app.services.context import AppContext
from tests.hostile.longest import MARK, build_world, longest_name
from tests.services.plan_world import BRANCHES
from tests.services.test_audits import phone_answers, phone_visit
from tests.ui.apptest import HQ, MARTA, run_app, speak, texts
from tests.ui.pseudo import data_vocabulary, shown_strings, untranslated
from tests.ui.test_admin_page import run_page


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    """Three auditors; Jordi Puig under two spellings (one audit and two)."""
    from audit_app.services.branches import save_branches

    save_branches(ctx, BRANCHES)
    auditors.add_auditor(
        ctx, "Laura Fernández", kind="agency", organisation="Client Ocult SL", areas=["Barcelona"]
    )
    for hour, name in ((9, "Jordi Puig"), (10, "Jordi Puigg"), (11, "Jordi Puigg")):
        visit = phone_visit(when=datetime(2026, 3, 2, hour), auditor=name)
        submit_audit(ctx, AuditRecord(visit, phone_answers(ctx)))
    return ctx


def auditors_table(app: AppTest) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if "Organisation" in d.value.columns)


def click(app: AppTest, label: str) -> AppTest:
    app.button[[b.label for b in app.button].index(label)].click().run()
    assert not app.exception, app.exception
    return app


def ids(ctx: AppContext) -> dict[str, int]:
    return {a.name: a.id for a in auditors.list_auditors(ctx, include_inactive=True)}


def test_head_office_lists_the_auditors_with_their_audits(world: AppContext) -> None:
    app = run_app(HQ, "admin")
    assert [t.label for t in app.tabs] == ["Branches", "Users", "Auditors", "Activity"]
    assert auditors_table(app).to_dict("records") == [
        {
            "Name": "Jordi Puig",
            "Kind": "Staff",
            "Organisation": "",
            "Areas": "anywhere",
            "App user": "",
            "Active": True,
            "Audits": "1",
        },
        {
            "Name": "Jordi Puigg",
            "Kind": "Staff",
            "Organisation": "",
            "Areas": "anywhere",
            "App user": "",
            "Active": True,
            "Audits": "2",
        },
        {
            "Name": "Laura Fernández",
            "Kind": "Agency",
            "Organisation": "Client Ocult SL",
            "Areas": "Barcelona",
            "App user": "",
            "Active": True,
            "Audits": "0",
        },
    ]


def test_a_near_miss_warns_then_adds_anyway(world: AppContext) -> None:
    app = run_app(HQ, "admin")
    app.text_input(key="admin_auditor_name_0").set_value("Laura Fernandez")
    app.selectbox(key="admin_auditor_kind_0").set_value("agency")
    app.multiselect(key="admin_auditor_areas_0").set_value(["Girona"])
    click(app, "Add auditor")
    assert [w.value for w in app.warning] == [
        "'Laura Fernandez' is close to the auditor 'Laura Fernández': same person?"
    ]
    assert "Laura Fernandez" not in ids(world)
    click(app, "Add anyway")
    assert not app.warning and not app.error
    assert "Added the auditor Laura Fernandez." in texts(app)
    added = auditors.find_auditor(world, "Laura Fernandez")
    assert (added.kind.value, added.areas) == ("agency", ("Girona",))
    assert "Laura Fernandez" in list(auditors_table(app)["Name"])


def test_cancel_drops_the_near_miss_and_adds_nothing(world: AppContext) -> None:
    app = run_app(HQ, "admin")
    app.text_input(key="admin_auditor_name_0").set_value("Jordi Puiig")
    click(app, "Add auditor")
    assert "same person?" in app.warning[0].value
    click(app, "Cancel")
    assert not app.warning and "Add anyway" not in [b.label for b in app.button]
    assert sorted(ids(world)) == ["Jordi Puig", "Jordi Puigg", "Laura Fernández"]


def test_a_name_taken_is_refused_in_words(world: AppContext) -> None:
    app = run_app(HQ, "admin")
    app.text_input(key="admin_auditor_name_0").set_value("jordi puig")
    click(app, "Add auditor")
    assert "is already the auditor 'Jordi Puig'" in app.error[0].value
    assert not app.warning and "Add anyway" not in [b.label for b in app.button]


def test_head_office_changes_an_auditors_areas(world: AppContext) -> None:
    laura = ids(world)["Laura Fernández"]
    app = run_app(HQ, "admin")
    app.selectbox(key="admin_auditor_edit_0").set_value(laura).run()
    keyed = f"0_{laura}"
    assert app.multiselect(key=f"admin_auditor_edit_areas_{keyed}").value == ["Barcelona"]
    app.multiselect(key=f"admin_auditor_edit_areas_{keyed}").set_value(["Anadolu", "Girona"])
    app.text_input(key=f"admin_auditor_edit_email_{keyed}").set_value("laura@example.com")
    app.selectbox(key=f"admin_auditor_edit_username_{keyed}").set_value("hq")
    click(app, "Save auditor")
    assert not app.error, app.error
    assert "Saved the auditor Laura Fernández." in texts(app)
    changed = auditors.find_auditor(world, "Laura Fernández")
    assert (changed.areas, changed.email, changed.username, changed.organisation) == (
        ("Anadolu", "Girona"),
        "laura@example.com",
        "hq",
        "Client Ocult SL",
    )
    row = auditors_table(app).set_index("Name").loc["Laura Fernández"]
    assert (row["Areas"], row["App user"]) == ("Anadolu, Girona", "hq")


def test_deactivating_keeps_the_auditor_listed_as_inactive(world: AppContext) -> None:
    laura = ids(world)["Laura Fernández"]
    app = run_app(HQ, "admin")
    app.selectbox(key="admin_auditor_edit_0").set_value(laura).run()
    app.checkbox(key=f"admin_auditor_edit_active_0_{laura}").uncheck()
    click(app, "Save auditor")
    assert "Laura Fernández" not in auditors.auditor_names(world)
    assert not auditors_table(app).set_index("Name").loc["Laura Fernández"]["Active"]


def test_a_merge_moves_the_audits_and_the_name_goes(world: AppContext) -> None:
    people = ids(world)
    app = run_app(HQ, "admin")
    app.selectbox(key="admin_auditor_merge_source_0").set_value(people["Jordi Puigg"])
    app.selectbox(key="admin_auditor_merge_into_0").set_value(people["Jordi Puig"]).run()
    assert [i.value for i in app.info] == [
        "2 audits of Jordi Puigg move to Jordi Puig; Jordi Puigg is kept only as another "
        "spelling of Jordi Puig."
    ]
    assert app.button(key="admin_auditor_merge_0").disabled  # not before the confirmation
    app.checkbox(key="admin_auditor_merge_sure_0").check().run()
    app.button(key="admin_auditor_merge_0").click().run()
    assert not app.exception and not app.error
    assert "Merged Jordi Puigg into Jordi Puig: 2 audits moved." in texts(app)
    table = auditors_table(app).set_index("Name")
    assert list(table.index) == ["Jordi Puig", "Laura Fernández"]
    assert table.loc["Jordi Puig"]["Audits"] == "3"
    assert auditors.audit_counts(world) == {people["Jordi Puig"]: 3}
    assert auditors.find_auditor(world, "Jordi Puigg").merged_into == people["Jordi Puig"]


def test_a_merge_onto_itself_is_refused(world: AppContext) -> None:
    jordi = ids(world)["Jordi Puig"]
    app = run_app(HQ, "admin")
    app.selectbox(key="admin_auditor_merge_source_0").set_value(jordi)
    app.selectbox(key="admin_auditor_merge_into_0").set_value(jordi).run()
    assert not app.info
    app.checkbox(key="admin_auditor_merge_sure_0").check().run()
    app.button(key="admin_auditor_merge_0").click().run()
    assert "'Jordi Puig' is already 'Jordi Puig': nothing to merge" in app.error[0].value
    assert len(auditors_table(app)) == 3


def test_the_area_manager_has_no_auditors_tab(world: AppContext) -> None:
    app = run_page(MARTA, "admin")
    assert "Only head office" in app.error[0].value
    assert not app.tabs and "Jordi Puig" not in texts(app)
    menu = run_app(MARTA)
    assert "admin" not in " ".join(str(link.proto) for link in menu.get("page_link"))


def test_every_word_of_the_tab_passes_through_the_catalogue(world: AppContext) -> None:
    """Drawn in the pseudo-language with the near-miss warning and a merge's count shown
    (set up in English: AppTest cannot pick pseudo-language labels)."""
    people = ids(world)
    app = run_app(HQ, "admin")
    app.text_input(key="admin_auditor_name_0").set_value("Laura Fernandez")
    click(app, "Add auditor")
    app.selectbox(key="admin_auditor_merge_source_0").set_value(people["Jordi Puigg"])
    app.selectbox(key="admin_auditor_merge_into_0").set_value(people["Jordi Puig"])
    speak(app, "qps", HQ)
    app.run()
    assert not app.exception, app.exception
    assert app.warning and app.info and app.tabs[2].label == "⟦Auditors⟧"
    left = untranslated(shown_strings(app), data_vocabulary(world))
    assert not left, left[:15]


def test_the_longest_values_are_shown(ctx: AppContext) -> None:
    build_world(ctx)
    auditors.update_auditor(  # the longest auditor, met in the world's audits
        ctx, longest_name(), organisation=longest_name(), areas=[longest_name()]
    )
    app = run_app(HQ, "admin")
    table = auditors_table(app)
    assert table["Name"].str.endswith(MARK).any()
    assert table["Organisation"].str.endswith(MARK).any()
    assert table["Areas"].str.endswith(MARK).any()
