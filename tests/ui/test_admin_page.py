"""The Admin page: head office only; branches edited, deactivated and imported; users added,
given passwords, disabled and enabled, passwords never shown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from audit_app.domain.users import Role, User
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.users import authenticate, list_users
from tests.intake import branch_lists
from tests.ui.apptest import GUEST, HQ, MARTA, run_app, sign_in, texts

PAGES = Path(__file__).resolve().parents[2] / "audit_app" / "ui" / "pages"


def run_page(user: User, page: str) -> AppTest:
    """One page script on its own, as ``user``: how a page behaves when someone reaches it
    without the menu (the menu hides it from them)."""
    from audit_app.ui.components.context import app_context

    app_context.clear()
    app = AppTest.from_file(str(PAGES / f"{page}_page.py"), default_timeout=60)
    sign_in(app, user)
    app.run()
    assert not app.exception, app.exception
    return app


def users_table(app: AppTest) -> pd.DataFrame:
    """The read-only user list (``app.dataframe`` also holds the branch editor)."""
    return next(d.value for d in app.dataframe if "User name" in d.value.columns)


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


@pytest.mark.parametrize("user", [GUEST, MARTA], ids=lambda u: u.username)
def test_other_roles_are_refused(demo: AppContext, user: User) -> None:
    app = run_page(user, "admin")
    assert "Only head office" in app.error[0].value
    shown = texts(app)
    assert "ES-CAT-01" not in shown and "marta" not in shown
    assert not app.tabs and not app.button


@pytest.mark.usefixtures("ctx")
def test_an_empty_database_says_how_to_start() -> None:
    app = run_app(HQ, "admin")
    shown = texts(app)
    assert "No branches yet" in shown
    # Someone logged in has a stored account (a session needs one): only that user is listed.
    assert list(users_table(app)["User name"]) == ["hq"]


def test_the_demo_lists_every_branch_and_user(demo: AppContext) -> None:
    app = run_app(HQ, "admin")
    branches = app.data_editor[0].value
    assert len(branches) == 48 and not branches["Active"].all()
    users = users_table(app)
    assert list(users["User name"]) == ["guest", "hq", "marta"]
    assert users.set_index("User name")["Areas"]["marta"] == "Barcelona"
    assert "password" not in " ".join(users.columns).lower()
    assert "demo-2026" not in texts(app)


def test_head_office_adds_a_user_who_then_appears(demo: AppContext) -> None:
    app = run_app(HQ, "admin")
    generation = app.session_state["admin_user_generation"]
    app.text_input(key=f"admin_new_username_{generation}").set_value("jordi")
    app.selectbox(key=f"admin_new_role_{generation}").set_value("area_manager")
    app.multiselect(key=f"admin_new_areas_{generation}").set_value(["Barcelona", "Ege"])
    app.text_input(key=f"admin_new_password_{generation}").set_value("long enough 1")
    app.text_input(key=f"admin_new_password2_{generation}").set_value("long enough 1")
    app.button[[b.label for b in app.button].index("Add user")].click().run()
    assert not app.exception, app.exception
    assert not app.error, app.error[0].value
    assert "Added jordi" in texts(app)
    listed = users_table(app).set_index("User name")
    assert listed["Areas"]["jordi"] == "Barcelona, Ege"
    assert "long enough 1" not in texts(app)
    user = authenticate(demo, "jordi", "long enough 1")
    assert user is not None and user.areas == ("Barcelona", "Ege")


def test_a_service_refusal_is_shown_not_raised(demo: AppContext) -> None:
    app = run_app(HQ, "admin")
    generation = app.session_state["admin_user_generation"]
    app.text_input(key=f"admin_new_username_{generation}").set_value("marta")
    app.text_input(key=f"admin_new_password_{generation}").set_value("long enough 1")
    app.text_input(key=f"admin_new_password2_{generation}").set_value("long enough 1")
    app.button[[b.label for b in app.button].index("Add user")].click().run()
    assert "already exists" in app.error[0].value
    assert len(list_users(demo)) == 3


def test_a_bad_user_name_is_explained_in_words(demo: AppContext) -> None:
    app = run_app(HQ, "admin")
    generation = app.session_state["admin_user_generation"]
    # A new account is a viewer unless head office picks more (least privilege).
    assert app.selectbox(key=f"admin_new_role_{generation}").value == Role.VIEWER
    app.text_input(key=f"admin_new_username_{generation}").set_value("jordi vidal!")
    app.text_input(key=f"admin_new_password_{generation}").set_value("long enough 1")
    app.text_input(key=f"admin_new_password2_{generation}").set_value("long enough 1")
    app.button[[b.label for b in app.button].index("Add user")].click().run()
    message = app.error[0].value
    assert "use letters, digits and . _ @ - only, starting with a letter or digit" in message
    assert "pattern" not in message and "[A-Za-z" not in message
    assert len(list_users(demo)) == 3


def test_head_office_disables_and_enables_a_user(demo: AppContext) -> None:
    app = run_app(HQ, "admin")
    generation = app.session_state["admin_user_generation"]
    app.selectbox(key=f"admin_access_user_{generation}").set_value("guest")
    app.button[[b.label for b in app.button].index("Disable")].click().run()
    assert "guest disabled" in texts(app)
    assert authenticate(demo, "guest", "guest-demo-2026") is None
    generation = app.session_state["admin_user_generation"]
    app.selectbox(key=f"admin_access_user_{generation}").set_value("guest")
    app.button[[b.label for b in app.button].index("Enable")].click().run()
    assert authenticate(demo, "guest", "guest-demo-2026") is not None


def test_head_office_deactivates_a_branch_and_it_is_saved(demo: AppContext) -> None:
    app = run_app(HQ, "admin")
    table = app.data_editor[0].value
    row = int(table.index[table["Code"] == "ES-CAT-02"][0])
    generation = app.session_state["admin_branch_generation"]
    app.session_state[f"admin_branch_editor_{generation}"] = {
        "edited_rows": {row: {"Active": False, "Manager": "Núria Vidal"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    save = app.button(key="admin_branch_save")
    assert save.label == "Save changes to 1 branch"
    save.click().run()
    assert not app.exception, app.exception
    assert "Saved: 1 branch changed." in texts(app)
    stored = {b.code: b for b in list_branches(demo)}["ES-CAT-02"]
    assert (stored.active, stored.manager) == (False, "Núria Vidal")
    table = app.data_editor[0].value.set_index("Code")
    assert not table["Active"]["ES-CAT-02"]


def test_a_branch_file_is_previewed_then_imported(ctx: AppContext) -> None:
    csv = (
        "code,name,region,area,country,language,manager,active\n"
        "ES-01,Gràcia,Catalonia,Barcelona,ES,ca,Marc,yes\n"
        "RO-01,Brașov,Transylvania,Centru,RO,ro,Ioana,no\n"
    ).encode()
    app = run_app(HQ, "admin")
    app.file_uploader[0].set_value(("branches.csv", csv, "text/csv")).run()
    assert "2 branches, 2 new, 0 changed" in texts(app)
    assert list_branches(ctx) == []
    app.button(key="admin_branch_import").click().run()
    assert "2 added" in texts(app)
    assert [(b.code, b.active) for b in list_branches(ctx)] == [("ES-01", True), ("RO-01", False)]


def test_a_bad_branch_file_names_its_rows_and_writes_nothing(ctx: AppContext) -> None:
    csv = b"code,name,region,country\nES 01,Gracia,Catalonia,ES\nRO-01,,Transylvania,RO\n"
    app = run_app(HQ, "admin")
    app.file_uploader[0].set_value(("bad.csv", csv, "text/csv")).run()
    message = app.error[0].value
    assert message.startswith("bad.csv: ") and "row 2" in message and "row 3" in message
    assert "/tmp" not in message
    assert list_branches(ctx) == []


def test_a_real_branch_list_shows_what_was_recognised_and_asks_for_the_country(
    ctx: AppContext, tmp_path: Path
) -> None:
    made = branch_lists.write_catalan_list(tmp_path)
    app = run_app(HQ, "admin")
    upload = ("botigues.xlsx", made.path.read_bytes(), "application/octet-stream")
    app.file_uploader[0].set_value(upload).run()
    assert "the file has no country column" in app.error[0].value
    app.text_input(key="admin_branch_country").set_value("es").run()
    assert not app.error
    recognised = next(d.value for d in app.dataframe if "How" in d.value.columns)
    assert recognised.to_dict("records") == [
        {"Field": "code", "Column": "A", "Header": "Codi botiga", "How": "synonym"},
        {"Field": "name", "Column": "B", "Header": "Nom de la botiga", "How": "synonym"},
        {"Field": "region", "Column": "C", "Header": "Regió", "How": "synonym"},
        {"Field": "area", "Column": "D", "Header": "Àrea", "How": "synonym"},
        {"Field": "address", "Column": "E", "Header": "Adreça", "How": "synonym"},
        {"Field": "status", "Column": "F", "Header": "Estat", "How": "synonym"},
        {"Field": "country", "Column": "", "Header": "given: ES", "How": "given"},
    ]
    shown = texts(app)
    assert "Header found in sheet Botigues, row 1" in shown
    assert "1 closed, imported as inactive." in shown
    app.button(key="admin_branch_import").click().run()
    assert "2 added" in texts(app)
    assert list_branches(ctx) == made.branches


def test_an_employee_sheet_is_flagged_before_it_is_imported(
    ctx: AppContext, tmp_path: Path
) -> None:
    made = branch_lists.write_employee_sheet(tmp_path)
    app = run_app(HQ, "admin")
    upload = ("staff.xlsx", made.path.read_bytes(), "application/octet-stream")
    app.file_uploader[0].set_value(upload).run()
    warnings = [w.value for w in app.warning]
    assert len(warnings) == 2
    assert "reads like people" in warnings[0] and "Employee No" in warnings[1]
    assert list_branches(ctx) == []


def test_head_office_sets_a_password_that_is_never_shown(demo: AppContext) -> None:
    app = run_app(HQ, "admin")
    generation = app.session_state["admin_user_generation"]
    app.selectbox(key=f"admin_password_user_{generation}").set_value("marta")
    app.text_input(key=f"admin_password_new_{generation}").set_value("a new secret 7")
    app.text_input(key=f"admin_password_new2_{generation}").set_value("a new secret 7")
    app.button[[b.label for b in app.button].index("Set password")].click().run()
    assert "Password of marta changed." in texts(app)
    assert "a new secret 7" not in texts(app)
    generation = app.session_state["admin_user_generation"]
    assert app.text_input(key=f"admin_password_new_{generation}").value == ""
    assert authenticate(demo, "marta", "a new secret 7") is not None
    assert authenticate(demo, "marta", "marta-demo-2026") is None


def test_a_bad_branch_edit_is_shown_and_nothing_is_saved(demo: AppContext) -> None:
    before = list_branches(demo)
    app = run_app(HQ, "admin")
    generation = app.session_state["admin_branch_generation"]
    app.session_state[f"admin_branch_editor_{generation}"] = {
        "edited_rows": {0: {"Name": ""}, 1: {"Active": False}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    app.button(key="admin_branch_save").click().run()
    assert "ES-CAT-01, name: needs at least 1 character" in app.error[0].value
    assert list_branches(demo) == before


def test_the_activity_tab_shows_log_ins_and_refusals(demo: AppContext) -> None:
    assert authenticate(demo, "marta", "marta-demo-2026") is not None
    assert authenticate(demo, "marta", "not her password") is None
    app = run_app(HQ, "admin")
    activity = next(d.value for d in app.dataframe if "What" in d.value.columns)
    assert list(activity["What"][:2]) == ["Log-in refused", "Log-in"]
    assert list(activity["Who"][:2]) == ["marta", "marta"]
    assert "why: wrong password" in activity["Details"].iloc[0]
    assert "not her password" not in texts(app) + activity.to_csv()
    app.multiselect(key="activity_actions").select("log-in").run()
    activity = next(d.value for d in app.dataframe if "What" in d.value.columns)
    assert set(activity["What"]) == {"Log-in"}


@pytest.mark.usefixtures("ctx")
def test_an_empty_activity_log_says_what_will_appear() -> None:
    app = run_app(HQ, "admin")
    assert "Log-ins, submissions, imports, corrections and appeals appear here" in texts(app)
