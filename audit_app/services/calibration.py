"""Calibration pairs in a comparison: where two auditors scored the same visit, how well
they agree, per item and per pair of auditors.

Called inside the comparison's own snapshot with the audit frame it already holds (scoped
to the user's areas), so the pairs are found among the audits the user may see and only
their answers are read.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import Connection

from audit_app.domain.checklist import Checklist
from audit_app.domain.compare.calibration import Calibration, calibrate, find_calibration_pairs
from audit_app.storage import compare_queries as queries


def calibration_from(
    conn: Connection,
    audits: pd.DataFrame,
    versions: Mapping[tuple[str, int], Checklist],
) -> Calibration:
    """Agreement of paired auditors among ``audits`` (the comparison's audit frame).

    ``versions`` holds every checklist version the audits were scored with (the
    comparison loads them once); an empty selection or one without pairs gives an empty
    :class:`Calibration` whose method says so, without reading any answer.
    """
    pairs = find_calibration_pairs(audits)
    if pairs.empty:
        return calibrate(pairs, pd.DataFrame(columns=["audit_id", "item_id", "score"]), versions)
    ids = [*pairs["audit_id_a"].astype(int), *pairs["audit_id_b"].astype(int)]
    return calibrate(pairs, queries.item_rows_for(conn, ids), versions)
