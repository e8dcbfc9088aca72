"""Comparisons across checklist versions: the items the versions share, and scores
recomputed on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import display
from audit_app.i18n import _

# ---------------------------------------------------------------------------
# Across checklist versions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionAlignment:
    """What a comparison across versions of one checklist is based on."""

    checklist_id: str
    versions: tuple[int, ...]
    reference_version: int
    """The version latest in time in the selection (the one its most recent audit used):
    its weights, sections, critical rule and pass mark apply."""
    shared_items: tuple[str, ...]
    """Scored items present in every version (in the reference version's order)."""
    left_out: tuple[str, ...]
    """Scored items present in some versions only: not counted in the comparison."""

    def describe(self) -> str:
        versions = ", ".join(f"v{v}" for v in self.versions)
        left = ", ".join(self.left_out) if self.left_out else _("none")
        return _(
            "Checklist {checklist} spans versions {versions}: section and overall "
            "scores were recomputed on the {shared} scored items all "
            "versions share, with the weights and rules of v{reference}, the "
            "version of the selection's most recent audit. Items left out: {left}."
        ).format(
            checklist=self.checklist_id,
            versions=versions,
            shared=len(self.shared_items),
            reference=self.reference_version,
            left=left,
        )


def align_versions(
    checklists: Sequence[Checklist], reference_version: int | None = None
) -> VersionAlignment:
    """The scored items that every given version of one checklist shares, scored by the
    rules of ``reference_version`` (default: the highest number)."""
    ordered = sorted(checklists, key=lambda c: c.version)
    reference = next((c for c in ordered if c.version == reference_version), ordered[-1])
    scored = [{item.id for item in c.items if item.scored} for c in ordered]
    shared = set.intersection(*scored)
    everywhere = set.union(*scored)
    return VersionAlignment(
        checklist_id=reference.id,
        versions=tuple(c.version for c in ordered),
        reference_version=reference.version,
        shared_items=tuple(item.id for item in reference.items if item.id in shared),
        left_out=tuple(sorted(everywhere - shared)),
    )


@dataclass(frozen=True)
class Rescored:
    audits: pd.DataFrame
    """audit_id, overall, raw_overall, passed, grade, critical_failure."""
    sections: pd.DataFrame
    """audit_id, section_id, score, weight."""


def latest_versions(audits: pd.DataFrame) -> dict[str, int]:
    """Checklist id -> the version its most recent audit in ``audits`` was scored with
    (the latest in time, which need not be the highest number: versions can be loaded out
    of order); a tie on the visit goes to the higher number."""
    if audits.empty:
        return {}
    ordered = audits.sort_values(["visited_at", "checklist_version"], kind="stable")
    last = ordered.groupby("checklist_id", sort=True)["checklist_version"].last()
    return {str(k): int(v) for k, v in last.items()}


def rescore_on_shared_items(
    items: pd.DataFrame, alignment: VersionAlignment, reference: Checklist
) -> Rescored:
    """Section and overall scores of each audit recomputed on the shared items only, by the
    scoring rules (weighted item mean per section; sections by their weight or pooled
    item weights; the critical rule) of the reference version."""
    meta = pd.DataFrame(
        [
            {
                "item_id": item.id,
                "section_id": reference.section_of[item.id],
                "item_weight": item.weight,
                "critical": item.critical,
            }
            for item in reference.items
            if item.id in set(alignment.shared_items)
        ]
    )
    rows = items.merge(meta, on="item_id", how="inner")
    counted = rows["score"].notna()
    rows = rows.assign(
        points=rows["score"].fillna(0) * rows["item_weight"],
        counted=rows["item_weight"].where(counted, 0.0),
    )
    sections = (
        rows.groupby(["audit_id", "section_id"], sort=True)[["points", "counted"]]
        .sum()
        .reset_index()
    )
    share = sections["points"] / sections["counted"].where(sections["counted"] > 0)
    sections["score"] = np.minimum(100.0, 100 * share)
    section_weight = {s.id: s.weight for s in reference.sections}
    if reference.sections_weighted:
        weight = sections["section_id"].map(section_weight).astype(float)
    else:
        weight = sections["counted"]
    sections["weight"] = np.where(sections["score"].notna(), weight, 0.0)
    overall = _overall_from_sections(sections)
    failed = rows[rows["critical"] & counted & (rows["score"] < 1)]["audit_id"].unique()
    audits = _apply_rules(overall, set(failed.tolist()), reference)
    return Rescored(audits, sections[["audit_id", "section_id", "score", "weight"]])


def _overall_from_sections(sections: pd.DataFrame) -> pd.DataFrame:
    weighted = sections.assign(
        product=(sections["score"] * sections["weight"]).fillna(0.0),
    )
    totals = weighted.groupby("audit_id", sort=True)[["product", "weight"]].sum()
    raw = (totals["product"] / totals["weight"].where(totals["weight"] > 0)).clip(0, 100)
    return pd.DataFrame({"audit_id": totals.index.to_numpy(), "raw_overall": raw.to_numpy()})


def _apply_rules(overall: pd.DataFrame, failed: set[int], reference: Checklist) -> pd.DataFrame:
    critical = overall["audit_id"].isin(failed).to_numpy()
    raw = overall["raw_overall"].to_numpy(dtype=float)
    rule = reference.critical_rule
    if rule.kind == "zero":
        final = np.where(critical & ~np.isnan(raw), 0.0, raw)
    elif rule.kind == "cap" and rule.cap is not None:
        final = np.where(critical, np.minimum(raw, rule.cap), raw)
    else:
        final = raw
    shown = [None if np.isnan(x) else display(float(x)) for x in final]
    return pd.DataFrame(
        {
            "audit_id": overall["audit_id"].to_numpy(),
            "overall": final,
            "raw_overall": raw,
            "passed": [None if s is None else s >= reference.pass_mark for s in shown],
            "grade": [None if s is None else reference.grade_for(s) for s in shown],
            "critical_failure": critical,
        }
    )
