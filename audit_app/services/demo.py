"""Loading the demo chain into the database; loading it again adds nothing."""

from __future__ import annotations

from dataclasses import dataclass

from audit_app import demo
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext


@dataclass(frozen=True)
class DemoLoad:
    branches_added: int
    audits_added: int
    audits_already_present: int


def demo_data(ctx: AppContext) -> demo.DemoData:
    return demo.generate(ctx.catalogue.latest())


def load_demo(ctx: AppContext) -> DemoLoad:
    data = demo_data(ctx)
    branches = save_branches(ctx, data.branches)
    stored = store_audits(ctx, data.audits, skip_existing=True)
    return DemoLoad(branches.inserted, len(stored.ids), stored.skipped)
