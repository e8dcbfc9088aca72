"""The New visit form with skip logic and unscored questions: a question (or section) that
does not apply is not drawn and says when it is asked; it appears as soon as the answer it
depends on is given (Streamlit reruns on change); the submit counts it nowhere."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from audit_app.config import Settings, default_checklists_dir
from audit_app.domain.audit import Branch
from audit_app.services.audits import list_scores
from audit_app.services.branches import save_branches
from audit_app.services.context import open_context
from tests.databases import drop_database, make_settings, point_environment_at
from tests.domain.checklist_programme import LONG_ASKED, programme
from tests.ui.apptest import HQ, run_app, texts

REF = "fitting@1"
TILL_NOTE = 'Not asked for this visit. Only if "Were the fitting rooms open?" is Yes'


@pytest.fixture
def programme_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    folder = tmp_path / "checklists"
    shutil.copytree(default_checklists_dir(), folder)
    (folder / "fitting.v1.yaml").write_text(
        yaml.safe_dump(programme(), allow_unicode=True), encoding="utf-8"
    )
    made = make_settings("sqlite", tmp_path / "data", folder)
    point_environment_at(made, monkeypatch)
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(folder))
    ctx = open_context(made)
    save_branches(ctx, [Branch(code="ES-01", name="Gràcia", region="Catalonia", country="ES")])
    ctx.engine.dispose()
    yield made
    drop_database(made.resolved_database_url)


def key(item_id: str) -> str:
    return f"nv.{REF}.{item_id}"


def drawn(app: AppTest) -> set[str]:
    return {
        str(r.key).removeprefix(f"nv.{REF}.") for r in app.radio if str(r.key).startswith("nv.")
    }


def progress(app: AppTest) -> str:
    return str(app.get("progress")[0].proto.text)


def open_form() -> AppTest:
    app = run_app(HQ, page="new_visit")
    app.selectbox(key="nv_checklist").select("Fitting rooms").run()
    app.selectbox(key="nv_language").select("en").run()
    return app


def test_questions_appear_when_they_apply(programme_world: Settings) -> None:
    app = open_form()
    assert drawn(app) == {"floor.open", "floor.fitting", "floor.info"}
    shown = texts(app)
    assert TILL_NOTE in shown
    assert (
        'Was the fitting room clean? — not asked for this visit. Only if "Were the fitting '
        'rooms open?" is Yes'
    ) in shown
    assert "Unscored (weight 0)" in shown
    assert progress(app) == "Answered 0 of 2 required items"
    app.radio(key=key("floor.open")).set_value("Yes").run()
    assert drawn(app) == {"floor.open", "floor.fitting", "floor.clean", "floor.info"} | {
        "till.queue",
        "till.bag",
    }
    assert TILL_NOTE not in texts(app)
    app.radio(key=key("floor.fitting")).set_value("asked").run()
    assert "floor.tone" in drawn(app)
    assert progress(app) == "Answered 2 of 6 required items"
    labels = app.radio(key=key("floor.fitting")).options
    assert LONG_ASKED in labels  # the whole label, not the value


def test_a_closed_floor_is_submitted_without_the_questions_it_leaves_out(
    programme_world: Settings,
) -> None:
    app = open_form()
    app.radio(key=key("floor.open")).set_value("No").run()
    app.radio(key=key("floor.fitting")).set_value("asked").run()
    app.radio(key=key("floor.tone")).set_value(4).run()
    assert drawn(app) == {"floor.open", "floor.fitting", "floor.info", "floor.tone"}
    next(b for b in app.button if b.label == "Submit").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Overall"] == "58.3"  # open 0 + helped 1 + tone 0.75, of 3
    ctx = open_context(Settings(**programme_world.model_dump()))
    try:
        assert list(list_scores(ctx)["overall"]) == [pytest.approx(100 * 1.75 / 3)]
    finally:
        ctx.engine.dispose()
