"""Comparing locations: the league table, consistency of standards, heatmap, regions,
trends and auditor effects for a selection of audits.

The value objects returned here are what the command line prints, and what the app and
the comparison report will draw. Loaded frames are kept in a small in-process cache
keyed by the selection and a stamp of the data (audit count and last id, last scoring,
branch count and last change), so a second look at the same selection, as a page
re-run does, skips the database; any write changes the stamp.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Connection

from audit_app.domain import compare as stats
from audit_app.domain.audit import AuditKind, Channel
from audit_app.domain.checklist import Checklist
from audit_app.domain.filters import AuditFilter
from audit_app.domain.safe_text import spreadsheet_text
from audit_app.domain.scoring import display
from audit_app.errors import AuditAppError
from audit_app.services.access import scoped
from audit_app.services.context import AppContext
from audit_app.storage import compare_queries as queries
from audit_app.storage import database, repository

By = Literal["branch", "region", "auditor", "item"]
BY_CHOICES: tuple[By, ...] = ("branch", "region", "auditor", "item")


class SelectionError(AuditAppError):
    """A filter value that matches nothing the database knows (a typo, most likely)."""


# ---------------------------------------------------------------------------
# Loading, with a small cache
# ---------------------------------------------------------------------------

_CACHE_SIZE = 8
_cache: OrderedDict[Hashable, Any] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every loaded frame (tests and benchmarks measuring a cold start use it)."""
    with _cache_lock:
        _cache.clear()


@dataclass
class _Loader:
    """Loads frames for one selection, reusing what an earlier call loaded from the same data."""

    ctx: AppContext
    audit_filter: AuditFilter
    conn: Connection
    _stamp: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        self.audit_filter = scoped(self.ctx, self.audit_filter)

    def get(self, kind: Hashable, load: Callable[[Connection, AuditFilter], Any]) -> Any:
        if self._stamp is None:
            self._stamp = queries.data_stamp(self.conn)
        key = (self.ctx.settings.resolved_database_url, kind, self.audit_filter, self._stamp)
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        value = load(self.conn, self.audit_filter)
        with _cache_lock:
            _cache[key] = value
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return value


# ---------------------------------------------------------------------------
# The selection: audits, checklist versions and the figures every view shares
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The audits a comparison is about, aligned across checklist versions when needed."""

    audit_filter: AuditFilter
    totals: pd.DataFrame = field(compare=False, repr=False)
    """Per-branch totals of the overall scores (:data:`stats.BRANCH_TOTAL_COLUMNS`)."""
    checklists: tuple[Checklist, ...]
    """The newest version of each checklist in the selection."""
    alignments: tuple[stats.VersionAlignment, ...]
    """One per checklist whose audits span versions."""
    versions: dict[tuple[str, int], Checklist] = field(compare=False, repr=False)
    """Every checklist version the selected audits were scored with."""

    @property
    def audits(self) -> int:
        return int(self.totals["audits"].sum()) if not self.totals.empty else 0

    @property
    def branches(self) -> int:
        return len(self.totals)

    @property
    def empty(self) -> bool:
        return self.totals.empty

    @property
    def pass_marks(self) -> dict[str, float]:
        return {c.id: c.pass_mark for c in self.checklists}

    def grade_of(self) -> stats.GradeOf | None:
        """The grade bands when every checklist in the selection uses the same ones."""
        bands = {tuple((g.min, g.label) for g in c.grades) for c in self.checklists}
        return self.checklists[0].grade_for if len(bands) == 1 else None

    def section_of_item(self) -> dict[tuple[str, str], str]:
        return {
            (c.id, item_id): section_id
            for c in self.checklists
            for item_id, section_id in c.section_of.items()
        }


def _checklist_versions(
    ctx: AppContext, conn: Connection, needed: set[tuple[str, int]]
) -> dict[tuple[str, int], Checklist]:
    """The needed checklist versions: from the folder, else as the database stored them
    (an old version whose file is gone still explains its audits)."""
    known = {(c.id, c.version): c for c in ctx.catalogue if (c.id, c.version) in needed}
    if needed - known.keys():
        for definition in repository.stored_checklist_definitions(conn):
            key = (definition["id"], int(definition["version"]))
            if key in needed and key not in known:
                known[key] = Checklist.model_validate(definition)
    missing = sorted(needed - known.keys())
    if missing:
        raise AuditAppError(f"checklist versions not found: {missing}")
    return known


def _select(loader: _Loader) -> Selection:
    split = loader.get("branch_totals", queries.branch_totals)
    used = _versions_used(split)
    needed = {(cid, v) for cid, versions in used.items() for v in versions}
    known = _checklist_versions(loader.ctx, loader.conn, needed)
    checklists = tuple(known[(cid, max(versions))] for cid, versions in sorted(used.items()))
    alignments = tuple(
        stats.align_versions([known[(cid, v)] for v in versions])
        for cid, versions in sorted(used.items())
        if len(versions) > 1
    )
    no_totals = pd.DataFrame(columns=stats.BRANCH_TOTAL_COLUMNS)
    selection = Selection(loader.audit_filter, no_totals, checklists, alignments, known)
    if alignments:  # overall scores recomputed on the shared items, summed here
        totals = stats.total_branches(_aligned_audits(loader, selection))
    else:  # overall scores as stored, summed by the database
        totals = stats.combine_totals(split)
    return replace(selection, totals=totals)


def _versions_used(split: pd.DataFrame) -> dict[str, tuple[int, ...]]:
    """Checklist id -> the versions its selected audits were scored with."""
    pairs = split[["checklist_id", "checklist_version"]].drop_duplicates()
    used: dict[str, list[int]] = {}
    for checklist_id, version in pairs.itertuples(index=False):
        used.setdefault(str(checklist_id), []).append(int(version))
    return {checklist_id: tuple(sorted(v)) for checklist_id, v in used.items()}


def _aligned_audits(loader: _Loader, selection: Selection) -> pd.DataFrame:
    """The audit frame with the multi-version checklists rescored on their shared items."""
    audits = loader.get("audits", queries.audit_frame)
    if not selection.alignments:
        return audits
    rescored = _rescored(loader, selection)
    fresh = pd.concat([r.audits for r in rescored], ignore_index=True).set_index("audit_id")
    changed = audits["audit_id"].isin(fresh.index)
    updated = audits.copy()
    for column in ("overall", "passed", "critical_failure"):
        updated.loc[changed, column] = (
            updated.loc[changed, "audit_id"].map(fresh[column]).to_numpy()
        )
    updated["overall"] = updated["overall"].astype(float)
    return updated


def _rescored(loader: _Loader, selection: Selection) -> list[stats.Rescored]:
    ids = tuple(a.checklist_id for a in selection.alignments)

    def load(conn: Connection, audit_filter: AuditFilter) -> pd.DataFrame:
        return queries.item_rows(conn, audit_filter, ids)

    items = loader.get(("item_rows", ids), load)
    audits = loader.get("audits", queries.audit_frame)
    checklist_of = audits.set_index("audit_id")["checklist_id"]
    out = []
    for alignment in selection.alignments:
        mine = items[items["audit_id"].map(checklist_of) == alignment.checklist_id]
        reference = selection.versions[(alignment.checklist_id, alignment.reference_version)]
        out.append(stats.rescore_on_shared_items(mine, alignment, reference))
    return out


def _section_cells(loader: _Loader, selection: Selection) -> pd.DataFrame:
    if not selection.alignments:
        return loader.get("section_cells", queries.section_cells)
    return stats.summarise_cells(_section_rows(loader, selection), "section_id")


def _section_rows(loader: _Loader, selection: Selection) -> pd.DataFrame:
    """Per audit x section with branch, checklist and visit; rescored across versions."""
    audits = loader.get("audits", queries.audit_frame)
    rows = loader.get("section_rows", queries.section_rows)
    if selection.alignments:
        rescored = _rescored(loader, selection)
        replaced = pd.concat([r.sections for r in rescored], ignore_index=True)
        rows = pd.concat(
            [rows[~rows["audit_id"].isin(replaced["audit_id"])], replaced], ignore_index=True
        )
    context = audits[["audit_id", "branch_code", "checklist_id", "visited_at"]]
    return rows.merge(context, on="audit_id", how="inner")


def _item_cells(loader: _Loader, selection: Selection) -> pd.DataFrame:
    """Per branch x item cells in points; items left out by a version alignment dropped."""
    cells = stats.scale_cells(loader.get("item_cells", queries.item_cells), 100)
    for alignment in selection.alignments:
        drop = (cells["checklist_id"] == alignment.checklist_id) & cells["standard"].isin(
            alignment.left_out
        )
        cells = cells[~drop]
    return cells


# ---------------------------------------------------------------------------
# Use cases
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Consistency:
    sections: tuple[stats.StandardConsistency, ...]
    items: tuple[stats.StandardConsistency, ...]
    least_consistent: tuple[stats.StandardConsistency, ...]
    """Sections and items together, the standards whose branches differ most first."""
    index: float | None
    """The chain's consistency index (see :func:`stats.consistency_index`)."""


def league_table(
    ctx: AppContext,
    audit_filter: AuditFilter = AuditFilter(),
    *,
    min_audits: int = stats.DEFAULT_MIN_AUDITS,
) -> stats.LeagueTable:
    """Branches ranked by their shrunken estimate, with intervals and tie bands."""
    with database.snapshot(ctx.engine) as conn:
        selection = _select(_Loader(ctx, audit_filter, conn))
    return stats.rank_branches(
        selection.totals, min_audits=min_audits, grade_of=selection.grade_of()
    )


def consistency(
    ctx: AppContext, audit_filter: AuditFilter = AuditFilter(), *, items: bool = True
) -> Consistency:
    """Spread between branches per section and (unless ``items=False``) per item."""
    with database.snapshot(ctx.engine) as conn:
        loader = _Loader(ctx, audit_filter, conn)
        selection = _select(loader)
        section_rows = stats.section_consistency(
            _section_cells(loader, selection), selection.pass_marks
        )
        item_rows = stats.item_consistency(_item_cells(loader, selection)) if items else ()
    return Consistency(
        sections=section_rows,
        items=item_rows,
        least_consistent=stats.least_consistent(section_rows + item_rows),
        index=stats.consistency_index(section_rows),
    )


def section_heatmap(ctx: AppContext, audit_filter: AuditFilter = AuditFilter()) -> pd.DataFrame:
    """Long-form section x branch means (branch_code, checklist_id, section_id, audits, mean)."""
    with database.snapshot(ctx.engine) as conn:
        loader = _Loader(ctx, audit_filter, conn)
        return stats.section_heatmap(_section_cells(loader, _select(loader)))


def region_summaries(
    ctx: AppContext,
    audit_filter: AuditFilter = AuditFilter(),
    *,
    min_audits: int = stats.DEFAULT_MIN_AUDITS,
) -> tuple[stats.RegionSummary, ...]:
    return stats.roll_up_regions(league_table(ctx, audit_filter, min_audits=min_audits))


def trends(
    ctx: AppContext,
    audit_filter: AuditFilter = AuditFilter(),
    *,
    level: stats.Level = "chain",
    period: stats.Period = "month",
) -> pd.DataFrame:
    """Mean score per period for each branch, region or the chain, and whether each change
    from the previous period exceeds the noise."""
    with database.snapshot(ctx.engine) as conn:
        loader = _Loader(ctx, audit_filter, conn)
        audits = _selection_audits(loader)
    return stats.trend(audits, level=level, period=period)


def consistency_trend(
    ctx: AppContext, audit_filter: AuditFilter = AuditFilter(), *, period: stats.Period = "month"
) -> pd.DataFrame:
    """The chain's consistency index per month or quarter."""
    with database.snapshot(ctx.engine) as conn:
        loader = _Loader(ctx, audit_filter, conn)
        rows = _section_rows(loader, _select(loader))
    return stats.consistency_index_by_period(rows, period)


def auditor_effects(
    ctx: AppContext, audit_filter: AuditFilter = AuditFilter()
) -> stats.AuditorEffects:
    """How much more or less kindly each auditor scores than the others on the same branches."""
    with database.snapshot(ctx.engine) as conn:
        audits = _selection_audits(_Loader(ctx, audit_filter, conn))
    return stats.estimate_auditor_effects(audits)


def _selection_audits(loader: _Loader) -> pd.DataFrame:
    return _aligned_audits(loader, _select(loader))


# ---------------------------------------------------------------------------
# The comparison the command line prints
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    by: By
    audit_filter: AuditFilter
    rows: tuple[Any, ...]
    """BranchStanding, RegionSummary, AuditorEffect or StandardConsistency values."""
    audits: int
    branches: int
    min_audits: int
    method: str
    consistency_index: float | None
    least_consistent_sections: tuple[str, ...]
    versions: tuple[stats.VersionAlignment, ...]
    message: str | None = None
    """Why there is nothing to compare, when there is nothing."""
    item_sections: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)
    """(checklist id, item id) -> section id, for rows by item."""

    @property
    def empty(self) -> bool:
        return self.audits == 0

    def summary(self) -> dict[str, Any]:
        """The JSON ``summary``: the filters, the method and the consistency index."""
        f = self.audit_filter
        return {
            "filters": {
                "checklist": f.checklist_id,
                "from": f.date_from.isoformat() if f.date_from else None,
                "to": f.date_to.isoformat() if f.date_to else None,
                "region": f.region,
                "country": f.country,
                "channel": f.channel,
                "kind": f.kind,
            },
            "selection": f.describe(),
            "by": self.by,
            "audits": self.audits,
            "branches": self.branches,
            "min_audits": self.min_audits,
            "method": self.method,
            "consistency_index": _round(self.consistency_index, 1),
            "least_consistent_sections": list(self.least_consistent_sections),
            "versions": [_alignment_summary(a) for a in self.versions],
            "message": self.message,
        }


def _alignment_summary(alignment: stats.VersionAlignment) -> dict[str, Any]:
    return {
        "checklist_id": alignment.checklist_id,
        "versions": list(alignment.versions),
        "reference_version": alignment.reference_version,
        "shared_items": list(alignment.shared_items),
        "left_out": list(alignment.left_out),
        "note": alignment.describe(),
    }


CONSISTENCY_METHOD = (
    "Consistency index: 100 minus the average spread between branches' true section scores "
    "(standard deviation in points, the visits' noise removed by the method of moments), "
    "each section weighted by its number of scored audits; 100 means every branch keeps "
    "every section at the same level."
)


def compare(
    ctx: AppContext,
    audit_filter: AuditFilter = AuditFilter(),
    *,
    by: By = "branch",
    min_audits: int = stats.DEFAULT_MIN_AUDITS,
) -> Comparison:
    """One comparison for the command line: rows by branch, region, auditor or item, and a
    summary with the method and the chain's consistency index."""
    if by not in BY_CHOICES:
        raise AuditAppError(f"cannot compare by {by!r} (choose {', '.join(BY_CHOICES)})")
    if min_audits < 1:
        raise AuditAppError("the minimum number of audits to rank must be at least 1")
    _check_filter_values(audit_filter)
    audit_filter = scoped(ctx, audit_filter)
    with database.snapshot(ctx.engine) as conn:
        loader = _Loader(ctx, audit_filter, conn)
        selection = _select(loader)
        if selection.empty:
            return _nothing_to_compare(conn, audit_filter, by, min_audits)
        sections = stats.section_consistency(
            _section_cells(loader, selection), selection.pass_marks
        )
        rows, method = _rows_by(loader, selection, by, min_audits)
    versions = " ".join(a.describe() for a in selection.alignments)
    return Comparison(
        by=by,
        audit_filter=audit_filter,
        rows=rows,
        audits=selection.audits,
        branches=selection.branches,
        min_audits=min_audits,
        method=" ".join(part for part in (method, CONSISTENCY_METHOD, versions) if part),
        consistency_index=stats.consistency_index(sections),
        least_consistent_sections=tuple(
            f"{s.checklist_id}/{s.standard}"
            for s in stats.least_consistent(sections, 3)
            if s.between_sd
        ),
        versions=selection.alignments,
        item_sections=selection.section_of_item() if by == "item" else {},
    )


def _rows_by(
    loader: _Loader, selection: Selection, by: By, min_audits: int
) -> tuple[tuple[Any, ...], str]:
    if by in ("branch", "region"):
        table = stats.rank_branches(
            selection.totals, min_audits=min_audits, grade_of=selection.grade_of()
        )
        if by == "branch":
            return table.rows, table.method
        return stats.roll_up_regions(table), (
            "Per region: the mean of its audits, the spread between its branches (standard "
            "deviation of their means) and its best and worst branch by the shrunken "
            "estimate of the league table. " + table.method
        )
    if by == "auditor":
        effects = stats.estimate_auditor_effects(_selection_audits(loader))
        return effects.rows, effects.method
    items = stats.least_consistent(stats.item_consistency(_item_cells(loader, selection)), None)
    return items, (
        "Per item, in points (item score x 100): mean, standard deviation of the branch means, "
        "the noise-corrected spread between branches, the share of the variance between "
        "branches (ICC(1), method of moments) and the share of branches whose every audit "
        "gave the item full marks; the items whose branches differ most come first."
    )


def _check_filter_values(audit_filter: AuditFilter) -> None:
    if audit_filter.kind and audit_filter.kind not in set(AuditKind):
        raise SelectionError(
            f"unknown audit kind {audit_filter.kind!r} (kinds: {', '.join(AuditKind)})"
        )
    if audit_filter.channel and audit_filter.channel not in set(Channel):
        raise SelectionError(
            f"unknown channel {audit_filter.channel!r} (channels: {', '.join(Channel)})"
        )
    if (
        audit_filter.date_from
        and audit_filter.date_to
        and audit_filter.date_from > audit_filter.date_to
    ):
        raise SelectionError(
            f"the period starts ({audit_filter.date_from}) after it ends ({audit_filter.date_to})"
        )


def _nothing_to_compare(
    conn: Connection, audit_filter: AuditFilter, by: By, min_audits: int
) -> Comparison:
    """An empty selection: a typo in a filter is an error; a quiet period is a message."""
    known = queries.filter_vocabulary(conn)
    for name, value, label, plural in (
        ("checklist_id", audit_filter.checklist_id, "checklist", "checklists"),
        ("region", audit_filter.region, "region", "regions"),
        ("country", audit_filter.country and audit_filter.country.upper(), "country", "countries"),
    ):
        if value and value not in known[name]:
            choices = ", ".join(known[name]) or "none yet"
            raise SelectionError(
                f"no audits or branches for {label} {value!r} ({plural}: {choices})"
            )
    first, last = queries.visit_span(conn)
    span = (
        f"stored audits run from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        if first is not None
        else "no audits are stored yet (run: audit-app demo, or import some)"
    )
    message = (
        f"No submitted audits match ({audit_filter.describe()}); {span}. "
        "Widen the dates or drop a filter."
    )
    return Comparison(by, audit_filter, (), 0, 0, min_audits, "", None, (), (), message)


# ---------------------------------------------------------------------------
# Rows for people and files
# ---------------------------------------------------------------------------

ROUNDED = {
    "mean": 1,
    "low": 1,
    "high": 1,
    "shrunk": 1,
    "pass_rate": 1,
    "branch_sd": 1,
    "between_sd": 1,
    "best_shrunk": 1,
    "worst_shrunk": 1,
    "leniency": 1,
    "meeting_share": 1,
    "icc": 3,
}


def comparison_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """The rows as plain dicts with plainly named fields, scores rounded as shown."""
    rows = []
    for row in comparison.rows:
        data = dict(row.__dict__)  # flat dataclasses: faster than asdict's deep copy
        if "standard" in data:
            data = _item_fields(data, comparison.item_sections)
        rows.append({k: _round(v, ROUNDED[k]) if k in ROUNDED else v for k, v in data.items()})
    return rows


def _item_fields(data: dict[str, Any], sections: dict[tuple[str, str], str]) -> dict[str, Any]:
    item_id, checklist_id = data.pop("standard"), data.pop("checklist_id")
    data.pop("level", None)
    section_id = sections.get((checklist_id, item_id))
    return {"checklist_id": checklist_id, "section_id": section_id, "item_id": item_id, **data}


def _round(value: Any, digits: int) -> Any:
    """Scores with one decimal as everywhere (halves up); other figures to ``digits``."""
    if value is None or not isinstance(value, float):
        return value
    return display(float(value)) if digits == 1 else round(float(value), digits)


# ---------------------------------------------------------------------------
# Files: CSV and Excel (bytes; the caller saves them or offers them for download)
# ---------------------------------------------------------------------------


def comparison_columns(comparison: Comparison) -> list[str]:
    """Every field of a row of this comparison, in order (also for an empty comparison)."""
    if comparison.rows:
        return list(comparison_rows(comparison)[0])
    row_types: dict[str, type[stats.BranchStanding | stats.RegionSummary | stats.AuditorEffect]]
    row_types = {
        "branch": stats.BranchStanding,
        "region": stats.RegionSummary,
        "auditor": stats.AuditorEffect,
    }
    row_type = row_types.get(comparison.by)
    if row_type is None:
        return ["checklist_id", "section_id", "item_id"] + [
            name
            for name in stats.StandardConsistency.__dataclass_fields__
            if name not in {"checklist_id", "level", "standard"}
        ]
    return list(row_type.__dataclass_fields__)


def comparison_csv(comparison: Comparison) -> bytes:
    """UTF-8 CSV (with BOM, so spreadsheets read the letters right); text that a spreadsheet
    would run as a formula (starting with = + - @) gets a leading apostrophe."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = comparison_columns(comparison)
    writer.writerow(columns)
    for row in comparison_rows(comparison):
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str):
        return spreadsheet_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def comparison_workbook(comparison: Comparison) -> bytes:
    """An .xlsx with the rows and a summary sheet, written in openpyxl's write-only mode.
    Every text cell is written as a string cell with an apostrophe before a formula start,
    so a name such as ``=HYPERLINK(...)`` shows as text and never runs as a formula."""
    import io

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Comparison")
    columns = comparison_columns(comparison)
    sheet.append(_string_safe_cells(sheet, columns))
    for row in comparison_rows(comparison):
        sheet.append(_string_safe_cells(sheet, [row.get(column) for column in columns]))
    summary = workbook.create_sheet("Summary")
    for summary_row in _summary_rows(comparison.summary()):
        summary.append(_string_safe_cells(summary, summary_row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """The summary as (key, value) rows; the filters get a row each ("filter: region",
    "Aegean") instead of one cell of JSON, and a filter not set says so."""
    rows: list[list[Any]] = []
    for key, value in summary.items():
        if key != "filters":
            rows.append([key, value])
            continue
        rows.append([key, None])
        for name, chosen in value.items():
            unset = "no limit" if name in ("from", "to") else "all"
            rows.append([f"filter: {name}", unset if chosen is None else chosen])
    return rows


def _string_safe_cells(sheet: Any, values: list[Any]) -> list[Any]:
    """Write-only cells; text goes through the exports' one neutraliser (a string cell,
    apostrophe before a formula start)."""
    from openpyxl.cell import WriteOnlyCell

    from audit_app.intake.export import string_cell

    return [
        string_cell(sheet, value) if isinstance(value, str) else WriteOnlyCell(sheet, value=value)
        for value in map(_xlsx_value, values)
    ]


def _xlsx_value(value: Any) -> Any:
    """Cells hold numbers, booleans and text; lists and mappings are written as JSON text."""
    if isinstance(value, dict | list | tuple):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return value
