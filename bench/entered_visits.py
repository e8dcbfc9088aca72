"""Visits entered into the scale set between two page views, as an area manager enters them
at month end: each a full-marks visit of the set's checklist, on a random branch, dated on a
day the selection covers (``bench.tenfold``'s "after a visit entered" figures).

The scale set runs to the end of 2027, past tomorrow, so the caller opens its context with the
visit-date bound widened (``AUDIT_LATEST_VISIT_DAYS_AHEAD=366``, as ``bench.tenfold`` does).
Each run adds a few visits to the set, by
one of its own auditors (a new auditor's name would change more than the audits)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from audit_app.domain.audit import Answer, AuditRecord, Visit
from audit_app.domain.checklist import ChoiceItem, NumberItem, PercentageItem, ScaleItem
from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import submit_audit
from audit_app.services.context import AppContext
from audit_app.storage.tables import audits, branches


def _best(item: Any) -> Any:
    if isinstance(item, ScaleItem):
        return item.max
    if isinstance(item, ChoiceItem):
        return max(item.options, key=lambda o: o.points).value
    if isinstance(item, NumberItem | PercentageItem):
        return float(item.target)
    return True


class VisitEntry:
    """Enters visits into the set open in ``ctx``."""

    def __init__(self, ctx: AppContext, seed: int | None = None) -> None:
        self.ctx = ctx
        self.checklist = next(iter(ctx.catalogue))
        self.answers = tuple(
            Answer(item.id, _best(item)) for item in self.checklist.items if item.scored
        )
        with ctx.engine.connect() as conn:
            self.codes = list(
                conn.execute(select(branches.c.code).order_by(branches.c.code)).scalars()
            )
            self.auditor = conn.execute(
                select(audits.c.auditor).where(audits.c.auditor.is_not(None)).limit(1)
            ).scalar_one()
        self.random = random.Random(seed)  # a new draw each run: its visits stay in the set

    def enter(self, selection: AuditFilter) -> int:
        """One visit on a random branch, in the last three weeks of ``selection`` that the
        visit-date bound allows (the month being entered); returns its audit id."""
        bound = date.today() + timedelta(days=self.ctx.settings.latest_visit_days_ahead - 1)
        last = min(selection.date_to or date(2027, 12, 31), bound)
        day = datetime.combine(last, datetime.min.time()) - timedelta(
            days=self.random.randrange(0, 21), minutes=-self.random.randrange(8 * 60, 20 * 60)
        )
        visit = Visit(
            self.random.choice(self.codes),
            self.checklist.id,
            self.checklist.version,
            day,
            self.auditor,
        )
        audit_id, _ = submit_audit(self.ctx, AuditRecord(visit, self.answers))
        return audit_id
