"""The Import page: template download, upload, the dry-run preview with every problem at its
cell, the commit with its summary, the mapping wizard, and an area manager's scope."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, time
from typing import Any

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from audit_app.i18n import use_language
from audit_app.intake.templates import ITEMS_FIRST_ROW
from audit_app.services.audits import list_scores
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.import_report import when_imported
from audit_app.services.mappings import list_mappings, mapping_targets
from audit_app.services.templates import make_template
from audit_app.ui.components.import_preview import commit_file, preview_file
from audit_app.ui.components.import_template import template_bytes
from tests.helpers import PHONE_ANSWERS, database_snapshot
from tests.ui.apptest import GUEST, HQ, MARTA, run_app, texts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


def filled(
    ctx: AppContext, answers: dict[str, Any], *, branch: str = "ES-CAT-01", auditor: str = "Ann"
) -> bytes:
    """A template made by the app, filled in as a manager would in Excel."""
    made = make_template(ctx, "greeting_phone")
    workbook = openpyxl.load_workbook(io.BytesIO(made.content))
    sheet = workbook["Audit"]
    sheet["B4"], sheet["B5"], sheet["B6"], sheet["B7"] = (
        branch,
        date(2026, 11, 21),
        time(10, 15),
        auditor,
    )
    for row in range(ITEMS_FIRST_ROW, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id in answers:
            sheet.cell(row, 5).value = answers[item_id]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(app: AppTest, *files: tuple[str, bytes]) -> AppTest:
    app.file_uploader[0].set_value([(name, data, XLSX) for name, data in files]).run()
    assert not app.exception, app.exception
    return app


def audits_in(ctx: AppContext) -> int:
    return len(list_scores(ctx))


def commit_button(app: AppTest):  # type: ignore[no-untyped-def]
    return app.button(key="import_commit")


# --------------------------------------------------------------------------- rendering


@pytest.mark.usefixtures("ctx")
def test_an_empty_database_explains_how_to_start() -> None:
    app = run_app(HQ, "import")
    assert app.title[0].value == "Import"
    shown = texts(app)
    assert "Upload one or more filled-in workbooks" in shown
    assert "No active branches yet" in shown
    assert app.download_button(key="template_download").label.startswith("Download the template")


def test_the_demo_renders_with_every_branch_for_head_office(demo: AppContext) -> None:
    app = run_app(HQ, "import")
    offered = app.multiselect(key="template_branches").options
    assert len(offered) == sum(b.active for b in list_branches(demo)) == 47
    assert app.file_uploader[0].accept_multiple_files


def test_a_viewer_is_refused(ctx: AppContext) -> None:
    from tests.ui.test_admin_page import run_page

    app = run_page(GUEST, "import")
    assert "Viewers cannot import" in app.warning[0].value
    assert not app.file_uploader


# --------------------------------------------------------------------------- preview + commit


def test_a_filled_template_previews_then_imports(demo: AppContext) -> None:
    before = audits_in(demo)
    data = filled(demo, PHONE_ANSWERS)
    app = upload(run_app(HQ, "import"), ("visit.xlsx", data))
    assert "would add 1 audit" in texts(app)
    preview = app.dataframe[0].value
    assert list(preview["branch_code"]) == ["Verd Natural Barcelona Gràcia (ES-CAT-01)"]
    assert list(preview["status"]) == ["new"]
    assert audits_in(demo) == before  # a preview writes nothing
    assert commit_button(app).label == "Import 1 file"
    commit_button(app).click().run()
    assert not app.exception
    assert audits_in(demo) == before + 1
    shown = texts(app)
    assert "1 file: 1 audit added, 0 already present, 0 rejected" in shown
    # all went well: a green box with a tick, no yellow warning
    assert [(box.value[:7], box.icon) for box in app.success] == [
        ("1 file:", ":material/task_alt:")
    ]
    assert not app.warning
    assert not app.file_uploader[0].value  # a fresh uploader for the next files
    # the same file again is recognised and not imported twice, with a readable time
    app = upload(app, ("visit.xlsx", data))
    assert re.search(
        r"already imported on [A-Z][a-z]{2} \d{1,2}, \d{4} at \d{2}:\d{2} UTC as audit #\d+; "
        r"nothing written",
        texts(app),
    )
    assert commit_button(app).disabled


def test_a_bad_file_lists_every_problem_at_its_cell_and_stores_nothing(
    demo: AppContext,
) -> None:
    answers = {**PHONE_ANSWERS, "call.tone": 9, "answer.greeting": "perhaps"}
    data = filled(demo, answers, branch="XX-99")
    page = run_app(HQ, "import")  # logging in writes a session: the snapshot comes after
    snapshot = database_snapshot(demo)
    app = upload(page, ("bad.xlsx", data), ("good.xlsx", filled(demo, PHONE_ANSWERS)))
    problems = app.dataframe[0].value
    assert set(problems["sheet"]) == {"Audit"}
    at = dict(zip(problems["cell"], problems["problem"], strict=True))
    assert list(at) == ["B4", "E13", "E15"]
    assert at["B4"] == "'XX-99' is not a known branch code"
    assert at["E13"].startswith("'perhaps' is not an answer to 'Greeting gives own name")
    assert at["E15"].startswith("9 is above the scale's 5: 'Tone is friendly'")
    assert "bad.xlsx** — rejected: 3 problems; nothing written" in texts(app)
    assert "good.xlsx** — would add 1 audit" in texts(app)
    assert commit_button(app).label == "Import 1 file"
    assert database_snapshot(demo) == snapshot
    commit_button(app).click().run()
    assert "1 audit added, 0 already present, 1 rejected" in texts(app)
    # something needs fixing: a yellow box with a warning sign, not a success tick
    assert not app.success
    assert [box.icon for box in app.warning] == [":material/warning:"]
    assert "Fix the rejected file" in app.warning[0].value


def test_import_times_read_as_dates() -> None:
    assert when_imported("2026-11-23T06:53:10") == "on Nov 23, 2026 at 06:53 UTC"
    assert when_imported("2026-11-23T07:53:10+01:00") == "on Nov 23, 2026 at 06:53 UTC"
    assert when_imported(None) == "before"


def test_the_component_functions_preview_and_commit(demo: AppContext) -> None:
    marta = demo.as_user(MARTA)
    data = filled(demo, PHONE_ANSWERS, branch="ES-CAT-02")
    before = audits_in(demo)
    preview = preview_file(marta, "v.xlsx", data)
    assert preview.status == "checked" and preview.dry_run and audits_in(demo) == before
    done = commit_file(marta, "v.xlsx", data)
    assert done.status == "imported" and done.added == 1
    assert audits_in(demo) == before + 1


# --------------------------------------------------------------------------- area scope


def test_martas_template_offers_only_her_branches(demo: AppContext) -> None:
    mine = {b.code for b in list_branches(demo) if b.area == "Barcelona"}
    others = {b.code for b in list_branches(demo)} - mine
    app = run_app(MARTA, "import")
    offered = {
        o.rsplit("(", 1)[1].rstrip(")") for o in app.multiselect(key="template_branches").options
    }
    assert offered == mine
    content = template_bytes(demo.as_user(MARTA), "greeting_phone").content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cells = {
        code
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
        for code in [str(cell.value), *re.findall(r"\(([^()]+)\)$", str(cell.value))]
    }
    assert mine <= cells
    assert not others & cells
    with pytest.raises(Exception, match="TR-EGE-01"):
        template_bytes(demo.as_user(MARTA), "greeting_phone", branch_codes=["TR-EGE-01"])


def test_marta_cannot_import_another_areas_branch(demo: AppContext) -> None:
    data = filled(demo, PHONE_ANSWERS, branch="ES-CAT-07")  # Girona: not Barcelona
    page = run_app(MARTA, "import")  # logging in writes a session: the snapshot comes after
    snapshot = database_snapshot(demo)
    app = upload(page, ("girona.xlsx", data))
    problems = app.dataframe[0].value
    assert list(problems["cell"]) == ["B4"]
    assert problems["problem"][0] == "'ES-CAT-07' is not a branch of your areas"
    assert commit_button(app).disabled
    assert database_snapshot(demo) == snapshot


# --------------------------------------------------------------------------- mapping wizard

AGENCY_CSV = (
    b"Store code,Visit date,Inspector,Rings before the call is answered,"
    b"Greeting gives own name company name and offers help,Employee speaks clearly,"
    b"Tone is friendly,Putting the caller on hold,Employee checks every question was answered,"
    b"Employee asks whether anything else is needed,Voicemail greeting is current,"
    b"Voicemail call back (hrs)\n"
    b"ES-CAT-03,2026-05-04,Agency One,3,Yes,Yes,4,Not put on hold,Yes,No,N/A,5\n"
    b"ES-CAT-04,2026-05-05,Agency One,5,Yes,No,3,Not put on hold,Yes,Yes,Yes,30\n"
)


def test_an_unknown_layout_gets_a_mapping_drafted_fixed_saved_and_used(demo: AppContext) -> None:
    before = audits_in(demo)
    app = upload(run_app(HQ, "import"), ("agency-may.csv", AGENCY_CSV))
    assert "Not one of our templates: a layout from outside." in app.info[0].value
    assert not app.error  # the first step for an agency's file is no failure
    key = f"mapping_{hashlib.sha256(AGENCY_CSV).hexdigest()[:12]}"
    assert app.selectbox(key=f"{key}_checklist").value == "greeting_phone"  # guessed
    editor = app.data_editor[0].value
    assert list(editor["text"][:3]) == ["Store code", "Visit date", "Inspector"]
    unassigned = editor.index[editor["text"] == "Voicemail call back (hrs)"][0]
    assert editor["use_as"][unassigned] == "— not used —"
    matched = editor[editor["place"].str.startswith("column ")]  # items, not roles
    assert len(matched) >= 3 and all(h.startswith("by ") for h in matched["how"])
    assert set(editor["how"][:3]) == {""}  # roles are not matched to questions
    assert "voicemail.return_hours" in app.warning[0].value
    # the person assigns the column the draft could not match, names the profile, saves
    label = mapping_targets(demo.catalogue.get("greeting_phone"))["voicemail.return_hours"]
    app.session_state[f"{key}_editor"] = {
        "edited_rows": {int(unassigned): {"use_as": label}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    assert not [w for w in app.warning if "voicemail.return_hours" in w.value]
    app.text_input(key=f"{key}_name").set_value("agency-phone").run()
    app.button(key=f"{key}_save").click().run()
    assert not app.exception, app.exception
    assert [p.name for p in list_mappings(demo.settings)] == ["agency-phone"]
    assert app.selectbox(key="import_mapping").value == "agency-phone"
    assert "would add 2 audits" in texts(app)
    commit_button(app).click().run()
    assert audits_in(demo) == before + 2
    assert "2 audits added" in texts(app)


# --------------------------------------------------------------------------- every row


def test_every_skipped_row_is_listed_with_its_reason_and_text(ctx: AppContext, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An agency's wave export through its profile: the check and the summary show where
    every row went, and a table lists each row left out (not only a count)."""
    from audit_app.intake.layouts.profile import parse_profile, save_profile
    from audit_app.services.branches import save_branches
    from tests.intake import corpus

    case = corpus.status_column(tmp_path)[0]
    save_branches(ctx, case.branches)
    save_profile(parse_profile(case.profile), ctx.settings.resolved_mappings_dir)
    app = run_app(HQ, "import")
    app.selectbox(key="import_mapping").set_value("wave3").run()
    app = upload(app, ("status_column.xlsx", case.path.read_bytes()))
    shown = texts(app)
    assert "would add 4 audits, 8 rows skipped" in shown
    assert "Rows: 12 read = 4 to import + 0 already present + 8 skipped + 0 rejected." in shown
    assert "**8 rows skipped**: read, not visits; check none is a visit." in shown
    [skipped] = [frame.value for frame in app.dataframe if "reason" in frame.value.columns]
    assert list(skipped.columns) == ["sheet", "row", "reason", "text"]
    assert skipped.to_dict("records") == [
        {"sheet": sheet, "row": row, "reason": corpus_label(reason), "text": text}
        for sheet, row, reason, text in case.expected.skipped
    ]
    commit_button(app).click().run()
    assert not app.exception, app.exception
    shown = texts(app)
    assert "1 file: 4 audits added, 0 already present, 0 rejected, 0 already imported; " in shown
    assert "8 rows skipped." in shown
    assert "Rows: 12 read = 4 imported + 0 already present + 8 skipped + 0 rejected." in shown
    assert audits_in(ctx) == 4


def corpus_label(reason: str) -> str:
    from audit_app.domain.intake.model import SkipReason

    return SkipReason(reason).label


def test_an_area_manager_cannot_replace_head_offices_profile_from_the_wizard(
    demo: AppContext,
) -> None:
    from audit_app.services.activity import list_activity
    from audit_app.services.mappings import load_mapping, mapping_owner, save_mapping
    from audit_app.services.mappings import suggest_mapping_bytes as draft

    shared = draft("agency.csv", AGENCY_CSV, "greeting_phone", "agency-phone").profile
    save_mapping(demo.as_user(HQ), shared)
    app = upload(run_app(MARTA, "import"), ("agency-may.csv", AGENCY_CSV))
    key = f"mapping_{hashlib.sha256(AGENCY_CSV).hexdigest()[:12]}"
    app.text_input(key=f"{key}_name").set_value("agency-phone").run()
    app.checkbox(key=f"{key}_replace").check().run()
    app.button(key=f"{key}_save").click().run()
    assert not app.exception, app.exception
    refusals = [e.value for e in app.error if "mapping profile" in e.value]
    assert refusals == [
        "the mapping profile 'agency-phone' is head office's shared profile; an area manager "
        "can replace only the profiles she saved herself. Save yours under another name"
    ]
    assert load_mapping("agency-phone", demo.settings) == shared
    assert mapping_owner("agency-phone", demo.settings) == "head office"
    # her own name is hers to save, and the log says who saved what
    app.checkbox(key=f"{key}_replace").uncheck().run()
    app.text_input(key=f"{key}_name").set_value("marta-agency").run()
    app.button(key=f"{key}_save").click().run()
    assert not [e for e in app.error if "mapping profile" in e.value]
    assert mapping_owner("marta-agency", demo.settings) == "marta"
    logged = list_activity(demo.as_user(HQ), actions=("mapping profile",))
    assert [(e.actor, e.subject, e.detail["change"]) for e in logged] == [
        ("marta", "marta-agency", "saved"),
        ("hq", "agency-phone", "saved"),
    ]


def test_a_profile_without_an_auditor_asks_for_one_on_the_page(
    ctx: AppContext,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """The profile gives no auditor: the page shows a field instead of refusing the file,
    and the value typed is every visit's auditor."""
    from audit_app.intake.layouts.profile import save_profile
    from audit_app.services.branches import save_branches
    from audit_app.services.mappings import suggest_mapping
    from tests.intake import corpus, waves

    save_branches(ctx, [corpus.branch(f"IP-00{n}", f"Store {n}") for n in (1, 2)])
    wave = waves.write_wave(tmp_path, 2)
    profile = suggest_mapping(wave.path, waves.CHECKLIST, "agency").profile
    save_profile(profile, ctx.settings.resolved_mappings_dir)
    app = run_app(HQ, "import")
    app.selectbox(key="import_mapping").set_value("agency").run()
    field = app.text_input(key="import_supply_agency_auditor")
    assert field.label == "Auditor"
    app = upload(app, (wave.path.name, wave.path.read_bytes()))
    assert "Fill in the values above: the files do not hold them." in texts(app)
    assert audits_in(ctx) == 0
    app.text_input(key="import_supply_agency_auditor").set_value("Agency X").run()
    assert "would add 2 audits" in texts(app)
    commit_button(app).click().run()
    assert not app.exception, app.exception
    assert set(list_scores(ctx)["auditor"]) == {"Agency X"}


# --------------------------------------------------------------------------- in Catalan


def test_the_import_page_in_catalan_names_what_it_shows(demo: AppContext) -> None:
    app = run_app(HQ, "import", language="ca")
    assert app.title[0].value == "Importar"
    assert [tab.label for tab in app.tabs] == ["Importa fitxers", "Plantilla en blanc"]
    data = filled(demo, PHONE_ANSWERS)
    with use_language("ca"):  # AppTest formats the pickers' options again in this process
        app = upload(app, ("visita.xlsx", data))
    shown = texts(app)
    assert "afegiria 1 auditoria" in shown
    assert "Comprovació" in shown
    preview = app.dataframe[0].value
    assert list(preview["checklist"]) == ["Acollida: telèfon, versió 1"]  # not greeting_phone v1
    assert list(preview["branch_code"]) == ["Verd Natural Barcelona Gràcia (ES-CAT-01)"]
    assert list(preview["status"]) == ["nova"]
    assert commit_button(app).label == "Importa 1 fitxer"
