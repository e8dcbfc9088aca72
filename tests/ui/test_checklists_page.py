"""The Checklists page, run headless with AppTest: contents, version diff and downloads."""

from __future__ import annotations

import copy
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from audit_app.checklists import Catalogue, parse_checklist
from audit_app.config import default_checklists_dir
from audit_app.domain.users import User
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from tests.ui.apptest import GUEST, HQ, MARTA, run_app, texts
from tests.ui.detail_downloads import download_bytes, downloads

__all__ = ["downloads"]  # the fixture, imported for the tests below


def _item(data: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for s in data["sections"] for i in s["items"] if i["id"] == item_id)


def language_box(app: AppTest) -> Selectbox:
    return next(box for box in app.selectbox if box.label == "Language")


@pytest.fixture
def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """The standard checklists plus a greeting_phone v2 with known changes; the app reads it."""
    folder = tmp_path / "checklists"
    shutil.copytree(default_checklists_dir(), folder)
    v1 = Catalogue.from_folder(folder).get("greeting_phone", 1)
    data = copy.deepcopy(v1.to_data())
    data["version"] = 2
    items = [item.id for item in v1.items]
    heavier, reworded, dropped = items[0], items[2], items[-2]
    _item(data, heavier)["weight"] = 4
    _item(data, reworded)["text"]["en"] = "Greets the caller by name"
    for section in data["sections"]:
        section["items"] = [i for i in section["items"] if i["id"] != dropped]
    data["sections"][0]["items"].append(
        {"id": "answer.callback", "type": "yes_no", "text": {"en": "Offered a call back"}}
    )
    parse_checklist(data)  # still valid
    (folder / "greeting_phone.v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(folder))
    return {
        "added": {"answer.callback"},
        "removed": {dropped},
        "changed": {heavier, reworded},
    }


def test_an_empty_database_shows_the_first_checklist() -> None:
    app = run_app(page="checklists")
    assert app.title[0].value == "Checklists"
    charter = Catalogue.from_folder(default_checklists_dir()).get("charter")
    items = [text for table in app.table for text in table.value["Item"]]
    assert items == [item.text["en"] for item in charter.items]
    assert "has only version 1, so there is nothing to compare" in app.info[0].value
    assert {"template", "yaml"} <= {button.key for button in app.download_button}


def test_a_checklist_in_another_language(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(page="checklists")
    app.selectbox(key="checklist").select("greeting_phone").run()
    language_box(app).select("tr").run()
    phone = ctx.catalogue.get("greeting_phone")
    items = [text for table in app.table for text in table.value["Item"]]
    assert items == [item.text["tr"] for item in phone.items]
    types = [text for table in app.table for text in table.value["Type"]]
    assert types[0] == "Number: at most 3 rings, 0 at 8 rings"


@pytest.mark.usefixtures("ctx")
def test_the_diff_lists_exactly_the_changed_items(two_versions: dict[str, set[str]]) -> None:
    app = run_app(page="checklists")
    app.selectbox(key="checklist").select("greeting_phone").run()
    assert app.selectbox(key="version-greeting_phone").value == 2
    assert (
        app.selectbox(key="diff-from-greeting_phone").value == 1
        and app.selectbox(key="diff-to-greeting_phone").value == 2
    )
    diff = app.table[-1].value
    items = diff[diff["What"] == "Item"]
    for kind in ("added", "removed", "changed"):
        assert set(items[items["Change"] == kind.capitalize()]["Id"]) == two_versions[kind]
    assert set(items["Change"]) == {"Added", "Removed", "Changed"}
    assert "Items: 1 added, 1 removed, 2 changed." in texts(app)
    reworded = items[items["v2"] == "Greets the caller by name"]
    assert list(reworded["Field"]) == ["text (en)"]
    # The same version twice is not a diff.
    app.selectbox(key="diff-from-greeting_phone").select(2).run()
    assert "Pick two different versions" in app.warning[0].value


@pytest.mark.usefixtures("downloads")
def test_the_template_is_in_the_chosen_language(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(page="checklists")
    app.selectbox(key="checklist").select("returns").run()
    language_box(app).select("ca").run()
    workbook = load_workbook(io.BytesIO(download_bytes(app, "template")))
    sheet = workbook["Audit"]
    questions = [
        row[0] for row in sheet.iter_rows(min_row=12, min_col=3, max_col=3, values_only=True)
    ]
    returns = ctx.catalogue.get("returns")
    assert questions == [item.text["ca"] for item in returns.items]
    assert "Returns process" not in str(sheet["A1"].value)
    published = yaml.safe_load(download_bytes(app, "yaml"))
    assert parse_checklist(published) == returns


@pytest.mark.usefixtures("downloads")
def test_an_area_managers_template_lists_only_their_branches(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(user=MARTA, page="checklists")
    branch_box = app.selectbox(key="template_branch")
    assert len(branch_box.options) == 7  # "choose on the form" and her six branches
    workbook = load_workbook(io.BytesIO(download_bytes(app, "template")))
    listed = {  # the dropdown offers "Name (CODE)"
        c.rsplit("(", 1)[-1].rstrip(")")
        for row in workbook["_lists"].iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    }
    mine = {b.code for b in list_branches(ctx) if b.area == "Barcelona"}
    others = {b.code for b in list_branches(ctx) if b.area != "Barcelona"}
    assert mine <= listed and not others & listed
    shown = texts(app)
    assert not [code for code in others if code in shown]
    assert "Verd Natural Badalona (ES-CAT-04)" in branch_box.options  # the name, then the code
    branch_box.select("ES-CAT-02").run()
    workbook = load_workbook(io.BytesIO(download_bytes(app, "template")))
    assert workbook["Audit"]["B4"].value == "Verd Natural Barcelona Sants (ES-CAT-02)"


@pytest.mark.parametrize(("user", "sent_to_import"), [(HQ, True), (MARTA, True), (GUEST, False)])
def test_only_users_who_can_import_are_sent_to_the_import_page(
    ctx: AppContext, user: User, sent_to_import: bool
) -> None:
    load_demo(ctx)
    app = run_app(user=user, page="checklists")
    captions = " ".join(c.value for c in app.caption)
    assert "fill in the yellow cells" in captions
    assert ("Import page" in captions) is sent_to_import
    assert ("hand it to your area manager or head office" in captions) is not sent_to_import
