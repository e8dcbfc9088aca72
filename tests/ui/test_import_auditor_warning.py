"""The Import page shows an auditor's near-miss name as a warning at its cell (AppTest); the
visit still imports."""

from __future__ import annotations

import pytest

from audit_app.domain.audit import Branch
from audit_app.services import auditors
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.helpers import PHONE_ANSWERS
from tests.ui.apptest import HQ, run_app
from tests.ui.test_import_page import audits_in, commit_button, filled, upload


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, [Branch(code="ES-CAT-01", name="Gràcia", region="Catalonia", country="ES")])
    auditors.add_auditor(ctx, "Laura Fernández", kind="agency")
    return ctx


def test_a_near_miss_name_is_a_warning_and_the_visit_imports(world: AppContext) -> None:
    app = run_app(HQ, "import")
    upload(app, ("visit.xlsx", filled(world, PHONE_ANSWERS, auditor="Laura Fernandez")))
    warning = "Audit!B7: 'Laura Fernandez' is close to the auditor 'Laura Fernández': same person?"
    assert warning in [w.value for w in app.warning]
    commit_button(app).click().run()
    assert not app.exception
    assert audits_in(world) == 1
