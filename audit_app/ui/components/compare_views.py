"""The contents of the Compare page's tabs: turn the compare services' results into frames,
charts and tables. Each function draws one tab from results the page has already fetched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from audit_app.domain import compare as stats
from audit_app.domain.compare import ComparisonResult
from audit_app.domain.safe_text import markdown_text
from audit_app.i18n import N_, _, formats, ngettext
from audit_app.ui.components import compare_charts as charts
from audit_app.ui.components.compare_scope import CHAIN, Benchmark
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.described_chart import described_chart, draw_chart, spec_of

if TYPE_CHECKING:  # what st.column_config's functions return; streamlit does not re-export it
    from streamlit.elements.lib.column_types import ColumnConfig

CHART_LIMIT = 60
"""Above this many branches a chart shows the best and worst half of it; tables show all."""
HEATMAP_SHOW_KEY = "compare_heatmap_show"
TOP_STANDARDS = 15

Labels = Mapping[tuple[str, str], str]


def branch_link(code: str, name: str) -> str:
    """A link to the Branch page; the name rides along only for the link's text."""
    return "branch?" + urlencode({"code": code, "name": name})


def _score(
    label: str,
    *,
    width: Literal["small", "medium", "large"] | int | None = None,
    help: str | None = None,
) -> ColumnConfig:
    return st.column_config.NumberColumn(label, format="%.1f", width=width, help=help)


def show_table(frame: pd.DataFrame, config: Mapping[str, str | ColumnConfig]) -> None:
    """A table whose headers are the columns' words in the current language: the frame's
    columns are renamed to their labels, and each label carries its column's settings."""
    names = {
        key: value if isinstance(value, str) else str(value.get("label") or key)
        for key, value in config.items()
    }
    settings = {
        names[key]: value
        for key, value in config.items()
        if key in frame.columns and not isinstance(value, str)
    }
    data_table(
        frame.rename(columns=names), hide_index=True, width="stretch", column_config=settings
    )


def _extreme(frame: pd.DataFrame, column: str, *, lowest: bool) -> pd.Series:
    """The row with the lowest (or highest) value of ``column``, the first of ties."""
    ordered = frame.sort_values(column, ascending=lowest, kind="stable")
    return ordered.iloc[0]


def branch_names(table: stats.LeagueTable) -> dict[str, str]:
    """Branch code -> its name as people read it (the code only when it has no name)."""
    return _names(table.rows)


def _names(rows: Sequence[stats.BranchStanding]) -> dict[str, str]:
    return {
        r.branch_code: _("{name} (closed)").format(name=r.branch_name or r.branch_code)
        if r.closed
        else r.branch_name or r.branch_code
        for r in rows
    }


# ---------------------------------------------------------------------------
# League table
# ---------------------------------------------------------------------------


def league_frame(table: stats.LeagueTable, bench: Benchmark = CHAIN) -> pd.DataFrame:
    """One row per branch in ranking order, with a link and a chart label (rank, name and
    tie band in words); the pooled target is named as the user knows it (the chain, or
    their area)."""
    frame = table.frame()
    if frame.empty:
        return frame
    frame["group"] = frame["group"].replace({"chain": bench.column})
    frame["closed"] = frame["closed"].astype(bool)
    frame.insert(
        0,
        "branch",
        [branch_link(c, n) for c, n in zip(frame.branch_code, frame.branch_name, strict=True)],
    )
    names = [n or c for c, n in zip(frame["branch_code"], frame["branch_name"], strict=True)]
    if frame["closed"].any():  # a closed branch is named so wherever the table shows it
        closed_name = _("{name} (closed)")
        names = [
            closed_name.format(name=name) if closed else name
            for name, closed in zip(names, frame["closed"], strict=True)
        ]
        frame["branch"] = [branch_link(c, n) for c, n in zip(frame.branch_code, names, strict=True)]
    # Each wording translated once, not once per branch (5,000 look-ups took 0.1 s a run).
    in_band, ranked = _("#{rank} {name} · band {band}"), _("#{rank} {name}")
    frame["label"] = _unique(
        [
            name
            if pd.isna(rank)
            else ranked.format(rank=int(rank), name=name)
            if pd.isna(band)
            else in_band.format(rank=int(rank), name=name, band=int(band))
            for name, rank, band in zip(names, frame["rank"], frame["tie_band"], strict=True)
        ]
    )
    return frame


def league_columns() -> dict[str, str | ColumnConfig]:
    """The league table's columns, in the current language."""
    return {
        "rank": st.column_config.NumberColumn(_("Rank"), format="%d", width="small"),
        "tie_band": st.column_config.NumberColumn(
            _("Tie band"),
            format="%d",
            width="small",
            help=_(
                "No branch in a band is clearly worse than the band's first: their order "
                "within a band is not meaningful."
            ),
        ),
        "branch": st.column_config.LinkColumn(
            _("Branch"), display_text=r"name=(.*)$", width="medium"
        ),
        "branch_code": st.column_config.TextColumn(_("Code"), width="small"),
        "region": _("Region"),
        "audits": st.column_config.NumberColumn(_("Audits"), width="small"),
        "mean": st.column_config.ProgressColumn(
            _("Mean"), min_value=0, max_value=100, format="%.1f"
        ),
        "low": _score(_("Mean's 90 % low"), width="small"),
        "high": _score(_("Mean's 90 % high"), width="small"),
        "adjusted": _score(
            _("Adjusted mean"),
            help=_(
                "The mean with period effects removed (a month that scored higher or lower "
                "for every branch)."
            ),
        ),
        "shrunk": _score(
            _("Estimate"),
            help=_(
                "What ranks: the adjusted mean pulled toward its target (its group's level) "
                "by how uncertain it is."
            ),
        ),
        "shrunk_low": _score(_("Estimate's 90 % low"), width="small"),
        "shrunk_high": _score(_("Estimate's 90 % high"), width="small"),
        "group": st.column_config.TextColumn(
            _("Pulled toward"),
            width="small",
            help=_("The group whose level is the estimate's target."),
        ),
        "pass_rate": st.column_config.NumberColumn(_("Pass rate %"), format="%.0f", width="small"),
        "critical_failures": st.column_config.NumberColumn(_("Critical failures"), width="small"),
        "grade": st.column_config.TextColumn(_("Grade"), width="small"),
    }


LEAGUE_COLUMNS = (
    "rank",
    "tie_band",
    "branch",
    "branch_code",
    "region",
    "audits",
    "mean",
    "low",
    "high",
    "adjusted",
    "shrunk",
    "shrunk_low",
    "shrunk_high",
    "group",
    "pass_rate",
    "critical_failures",
    "grade",
)


def league_tab(table: stats.LeagueTable, bench: Benchmark = CHAIN) -> None:
    frame = league_frame(table, bench)
    ranked = frame[~frame["too_few_to_rank"]]
    few = frame[frame["too_few_to_rank"]]
    bands = ranked["tie_band"].nunique()
    columns = st.columns(3)
    columns[0].metric(_("Ranked branches"), formats.integer(len(ranked)))
    columns[1].metric(
        _("Tie bands"),
        formats.integer(bands) if bands else "—",
        help=_(
            "A band ends once a branch is clearly worse than the band's first (probability "
            "at least 0.95)."
        ),
    )
    columns[2].metric(_("Too few audits to rank"), formats.integer(len(few)))
    config = league_columns()
    if ranked.empty:
        st.info(
            _(
                "No branch has {audits} audits in this selection, so none is ranked. "
                "Widen the period, or lower “Audits needed to rank” in the sidebar."
            ).format(audits=table.min_audits),
            icon=":material/info:",
        )
    else:
        shown = _ends(ranked, CHART_LIMIT)
        if len(shown) < len(ranked):
            st.caption(
                _(
                    "The chart shows the best and worst {half} of {ranked} ranked branches; "
                    "the table below lists them all."
                ).format(half=CHART_LIMIT // 2, ranked=formats.integer(len(ranked)))
            )
        described_chart(
            spec_of(charts.league_chart, shown, table.chain_mean, bench.level_label),
            league_alt_text(shown, table.chain_mean, bench.level_label),
            width="stretch",
        )
        st.caption(
            _(
                "Bars: 90 % interval of each branch's estimate. Hollow dot: mean; filled dot: "
                "estimate (the rank's basis); dashed line: {mean_label}. Each row names its "
                "tie band; neighbours in one band also share a colour."
            ).format(mean_label=bench.level_label)
        )
        show_table(ranked[list(LEAGUE_COLUMNS)], config)
    if not few.empty:
        st.subheader(
            _("Too few audits to rank ({branches})").format(branches=formats.integer(len(few)))
        )
        st.caption(
            _("Fewer than {audits} audits: listed, not ranked.").format(audits=table.min_audits)
        )
        st.page_link(
            "pages/coverage_page.py",
            label=_("Plan the visits that would rank them: coverage of the visit plan"),
            icon=":material/event_available:",
        )
        unranked = [c for c in LEAGUE_COLUMNS if c not in ("rank", "tie_band")]
        show_table(few[unranked], config)
    with st.expander(_("How the league table is computed")):
        st.write(" ".join(part for part in (bench.method_scope, table.method) if part))


def league_alt_text(frame: pd.DataFrame, chain_mean: float | None, mean_label: str) -> str:
    """The league chart in one sentence, from its data."""
    best, worst = frame.iloc[0], frame.iloc[-1]
    bands = frame["tie_band"].nunique()
    return _(
        "Chart: {branches} ranked branches, from {best} (estimate {best_score}) to {worst} "
        "({worst_score}), in {bands} tie bands; {mean_label}: {mean}."
    ).format(
        branches=formats.integer(len(frame)),
        best=best["branch_name"] or best["branch_code"],
        best_score=formats.decimal(best["shrunk"], 1),
        worst=worst["branch_name"] or worst["branch_code"],
        worst_score=formats.decimal(worst["shrunk"], 1),
        bands=formats.integer(bands),
        mean_label=mean_label,
        mean=formats.decimal(chain_mean, 1),
    )


def _ends(frame: pd.DataFrame, limit: int) -> pd.DataFrame:
    """All rows when there are at most ``limit``, else the first and last ``limit // 2``."""
    if len(frame) <= limit:
        return frame
    half = limit // 2
    return pd.concat([frame.head(half), frame.tail(half)])


# ---------------------------------------------------------------------------
# Heatmap
# ---------------------------------------------------------------------------


def heatmap_tab(
    cells: pd.DataFrame,
    table: stats.LeagueTable,
    labels: Labels,
    checklist_titles: Mapping[str, str],
) -> None:
    if cells.empty:
        st.info(_("No section scores in this selection."), icon=":material/info:")
        return
    order = [row.branch_code for row in table.rows]
    names = _names(table.rows)
    league = league_frame(table)
    row_label = dict(zip(league["branch_code"], league["label"], strict=True))
    if len(order) > CHART_LIMIT:
        order = _pick_branches(table)
    one_checklist = cells["checklist_id"].nunique() == 1
    keys = list(labels)
    position = {key: i for i, key in enumerate(keys)}
    pairs = sorted(
        {(c, s) for c, s in zip(cells["checklist_id"], cells["section_id"], strict=True)},
        key=lambda pair: (pair[0], position.get(pair, len(keys)), pair[1]),
    )
    full_of = {
        pair: labels.get(pair, pair[1])
        if one_checklist
        else f"{checklist_titles.get(pair[0], pair[0])} · {labels.get(pair, pair[1])}"
        for pair in pairs
    }
    short = _unique([charts.short_label(labels.get(pair, pair[1])) for pair in pairs])
    column_of = dict(zip(pairs, short, strict=True))
    shown = cells[cells["branch_code"].isin(set(order))]
    keys_shown = list(zip(shown["checklist_id"], shown["section_id"], strict=True))
    data = pd.DataFrame(
        {
            "label": shown["branch_code"].map(row_label).to_numpy(),
            "branch_name": shown["branch_code"].map(names).to_numpy(),
            "column": [column_of[pair] for pair in keys_shown],
            "section": [full_of[pair] for pair in keys_shown],
            "mean": shown["mean"].to_numpy(),
            "audits": shown["audits"].to_numpy(),
        }
    )
    columns = list(dict.fromkeys(column_of[pair] for pair in pairs))
    rows = [row_label[code] for code in order]
    draw_chart(
        spec_of(charts.heatmap_chart, data, rows, columns, middle=table.chain_mean),
        width=charts.heatmap_width(len(columns)),
    )
    st.caption(markdown_text(heatmap_alt_text(data)))
    st.caption(
        _(
            "Mean section score per branch, written in each cell (rows in league-table order, "
            "with their rank and tie band). Orange: below the mean, blue: above. A blank "
            "cell: no audit of that branch scored the section."
        )
    )


def heatmap_alt_text(data: pd.DataFrame) -> str:
    """The heatmap in one sentence, from its cells."""
    low = _extreme(data, "mean", lowest=True)
    high = _extreme(data, "mean", lowest=False)
    return _(
        "Chart: {branches} branches by {sections} sections; the lowest cell is {low_branch} "
        "in {low_section} ({low}), the highest {high_branch} in {high_section} ({high})."
    ).format(
        branches=formats.integer(data["branch_name"].nunique()),
        sections=formats.integer(data["column"].nunique()),
        low_branch=low["branch_name"],
        low_section=low["section"],
        low=formats.decimal(low["mean"], 1),
        high_branch=high["branch_name"],
        high_section=high["section"],
        high=formats.decimal(high["mean"], 1),
    )


SHOW_BEST_AND_WORST = N_("Best and worst {count}")
SHOW_BEST = N_("Best {count}")
SHOW_WORST = N_("Worst {count}")


def heatmap_choices(table: stats.LeagueTable, limit: int = CHART_LIMIT) -> dict[str, list[str]]:
    """The best and worst, the best, or the worst ``limit`` ranked branches by shrunken
    estimate (highest first): never the table's last rows, which are the branches with too
    few audits to rank. Keyed by the choice's English words (shown translated)."""
    ranked = sorted((r for r in table.rows if not r.too_few_to_rank), key=lambda r: -r.shrunk)
    codes = [r.branch_code for r in ranked]
    half = limit // 2
    return {
        SHOW_BEST_AND_WORST.format(count=half): list(dict.fromkeys(codes[:half] + codes[-half:])),
        SHOW_BEST.format(count=limit): codes[:limit],
        SHOW_WORST.format(count=limit): codes[-limit:],
    }


def _pick_branches(table: stats.LeagueTable) -> list[str]:
    """For a big selection: the best and worst, or the best or worst, ``CHART_LIMIT`` ranked
    branches."""
    choices = heatmap_choices(table)
    half = CHART_LIMIT // 2
    words = dict(
        zip(
            choices,
            (
                _(SHOW_BEST_AND_WORST).format(count=half),
                _(SHOW_BEST).format(count=CHART_LIMIT),
                _(SHOW_WORST).format(count=CHART_LIMIT),
            ),
            strict=True,
        )
    )
    ranked = sum(not r.too_few_to_rank for r in table.rows)
    picked = st.segmented_control(
        _("Branches shown"),
        list(choices),
        default=next(iter(choices)),
        key=HEATMAP_SHOW_KEY,
        format_func=words.__getitem__,
    )
    st.caption(
        _(
            "{branches} branches are too many to draw at once: choose which of the {ranked} "
            "ranked branches to show (by shrunken estimate; those with too few audits to rank "
            "are in the league table), or narrow the selection with the region filter in the "
            "sidebar."
        ).format(branches=formats.integer(len(table.rows)), ranked=formats.integer(ranked))
    )
    return choices[picked or next(iter(choices))]


# ---------------------------------------------------------------------------
# Consistency
# ---------------------------------------------------------------------------


def standard_columns() -> dict[str, str | ColumnConfig]:
    """In reading order, the spread (the tab's point) first and the counts last. The fixed
    widths add up to less than a laptop's page, so no column is cut off at the right edge; a
    wider page shares out the rest."""
    return {
        "checklist": st.column_config.TextColumn(_("Checklist"), width=135),
        "standard": st.column_config.TextColumn(_("Standard"), width=195),
        "between_sd": _score(
            _("Spread"),
            width=70,
            help=_(
                "Spread between branches: the noise-corrected SD of their true levels, in points."
            ),
        ),
        "meeting_share": st.column_config.ProgressColumn(
            _("Meeting %"),
            min_value=0,
            max_value=100,
            format="%.0f",
            width=100,
            help=_(
                "Share of branches meeting the standard (a section at the pass mark, an item "
                "at full marks)."
            ),
        ),
        "mean": _score(_("Mean"), width=60),
        "icc": st.column_config.NumberColumn(
            _("ICC"),
            format="%.2f",
            width=60,
            help=_(
                "Share of the variation that lies between branches, ICC(1): 0 = all noise, "
                "1 = all branch."
            ),
        ),
        "branch_sd": _score(
            _("SD of means"), width=90, help=_("SD of the branch means, noise included.")
        ),
        "branches": st.column_config.NumberColumn(_("Branches"), width=75),
        "audits": st.column_config.NumberColumn(_("Audits"), width=70),
    }


def evidence_columns() -> dict[str, str | ColumnConfig]:
    """The failure and photo counts of an item (the same on the Branch page)."""
    return {
        "failures": st.column_config.NumberColumn(
            _("Failures"),
            width=75,
            help=_("Failed answers in the selection (those that open a corrective action)."),
        ),
        "with_photos": st.column_config.NumberColumn(
            _("With photos"),
            width=90,
            help=_("Failed answers that carry at least one photo."),
        ),
    }


STANDARD_COLUMNS = (
    "checklist",
    "standard",
    "between_sd",
    "meeting_share",
    "mean",
    "icc",
    "branch_sd",
    "branches",
    "audits",
)


def standards_frame(
    rows: Sequence[stats.StandardConsistency],
    labels: Labels,
    checklist_titles: Mapping[str, str],
) -> pd.DataFrame:
    """Standards with readable names, the most varying first."""
    frame = pd.DataFrame(
        [
            {
                "checklist": checklist_titles.get(r.checklist_id, r.checklist_id),
                "standard": labels.get((r.checklist_id, r.standard), r.standard),
                "level": r.level,
                "branches": r.branches,
                "audits": r.audits,
                "mean": r.mean,
                "branch_sd": r.branch_sd,
                "between_sd": r.between_sd,
                "icc": r.icc,
                "meeting_share": r.meeting_share,
            }
            for r in rows
        ],
        columns=["level", *STANDARD_COLUMNS],
    )
    return frame.sort_values("between_sd", ascending=False, na_position="last", kind="stable")


def consistency_tab(
    result: ComparisonResult,
    labels: Labels,
    checklist_titles: Mapping[str, str],
    items_included: bool,
) -> None:
    sections = standards_frame(result.sections, labels, checklist_titles)
    columns = st.columns(3)
    index, raw = result.consistency_index, result.raw_consistency_index
    explained = _(
        "100 minus the typical spread between branches' true section scores, in points; "
        "100 = every branch keeps every section at the same level. Period effects (a good "
        "or bad month for everyone) are removed first."
    )
    if raw is not None:
        explained += " " + _("Without removing them it reads {index}.").format(
            index=formats.decimal(raw, 1)
        )
    columns[0].metric(_("Consistency index"), formats.decimal(index, 1), help=explained)
    columns[1].metric(_("Sections compared"), formats.integer(len(sections)))
    if items_included:
        columns[2].metric(_("Items compared"), formats.integer(len(result.items)))
    least = [r for r in result.least_consistent if r.between_sd is not None][:TOP_STANDARDS]
    if least:
        st.subheader(_("Least consistent standards"))
        top = standards_frame(least, labels, checklist_titles)
        if top["checklist"].nunique() > 1:
            top["label"] = top["checklist"] + " · " + top["standard"]
        else:
            top["label"] = top["standard"]
        top["label"] = _unique(top["label"].tolist())
        described_chart(
            spec_of(charts.consistency_chart, top), consistency_alt_text(top), width="stretch"
        )
    st.subheader(_("Sections by spread between branches"))
    _standards_table(sections)
    if not items_included:
        st.caption(
            _(
                "Switch on “Include items” to see which checklist items vary most between "
                "branches (a few seconds on a large selection)."
            )
        )
    else:
        st.subheader(_("Items by spread between branches"))
        items = standards_frame(result.items, labels, checklist_titles)
        _standards_table(items)
    failed_items_table(result, labels, checklist_titles)


def evidence_frame(
    result: ComparisonResult, labels: Labels, checklist_titles: Mapping[str, str]
) -> pd.DataFrame:
    """Every item that failed in the selection, most failures first, with its counts."""
    return pd.DataFrame(
        [
            {
                "checklist": checklist_titles.get(checklist_id, checklist_id),
                "standard": labels.get((checklist_id, item_id), item_id),
                "failures": counts.failures,
                "with_photos": counts.with_photo,
            }
            for checklist_id, item_id, counts in result.failed_items
        ],
        columns=["checklist", "standard", "failures", "with_photos"],
    )


def failed_items_table(
    result: ComparisonResult, labels: Labels, checklist_titles: Mapping[str, str]
) -> None:
    """The items failed most often and how many of those failures carry a photo."""
    st.subheader(_("Failed items and their photos"))
    frame = evidence_frame(result, labels, checklist_titles)
    if frame.empty:
        st.caption(_("No answer in this selection failed."))
        return
    if frame["checklist"].nunique() <= 1:
        frame = frame.drop(columns="checklist")
    columns = standard_columns()
    show_table(
        frame,
        {
            "checklist": columns["checklist"],
            "standard": st.column_config.TextColumn(_("Item"), width=330),
            **evidence_columns(),
        },
    )


def _standards_table(frame: pd.DataFrame) -> None:
    """One checklist's standards need no checklist column: its width goes to the rest."""
    shown = frame.drop(columns="level")
    if shown["checklist"].nunique() <= 1:
        shown = shown.drop(columns="checklist")
    show_table(shown, standard_columns())


def consistency_alt_text(frame: pd.DataFrame) -> str:
    """The least-consistent chart in one sentence, from its bars."""
    ordered = frame.sort_values("between_sd", ascending=False, kind="stable")
    first, last = ordered.iloc[0], ordered.iloc[-1]
    return _(
        "Chart: the {count} least consistent standards, from {first} (spread {first_sd} "
        "points) to {last} ({last_sd} points)."
    ).format(
        count=formats.integer(len(ordered)),
        first=first["label"],
        first_sd=formats.decimal(first["between_sd"], 1),
        last=last["label"],
        last_sd=formats.decimal(last["between_sd"], 1),
    )


def _unique(labels: list[str]) -> list[str]:
    """Chart labels must differ: repeat names get a counter."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------


def region_columns() -> dict[str, str | ColumnConfig]:
    return {
        "region": _("Region"),
        "branches": _("Branches"),
        "audits": _("Audits"),
        "mean": st.column_config.ProgressColumn(
            _("Mean"), min_value=0, max_value=100, format="%.1f"
        ),
        "branch_sd": _score(_("Spread between branches (SD)")),
        "best_branch": _("Best branch"),
        "best_shrunk": _score(_("Best estimate")),
        "worst_branch": _("Worst branch"),
        "worst_shrunk": _score(_("Worst estimate")),
        "pass_rate": st.column_config.NumberColumn(_("Pass rate %"), format="%.0f"),
        "critical_failures": _("Critical failures"),
    }


REGION_COLUMNS = (
    "region",
    "branches",
    "audits",
    "mean",
    "branch_sd",
    "best_branch",
    "best_shrunk",
    "worst_branch",
    "worst_shrunk",
    "pass_rate",
    "critical_failures",
)


def regions_tab(
    rows: Sequence[stats.RegionSummary], names: Mapping[str, str] | None = None
) -> None:
    """``names``: branch code -> name, so the best and worst branches are named."""
    frame = pd.DataFrame([r.__dict__ for r in rows], columns=list(REGION_COLUMNS))
    if names:
        for column in ("best_branch", "worst_branch"):
            frame[column] = [names.get(code, code) for code in frame[column]]
    draw_chart(spec_of(charts.region_chart, frame), width="stretch")
    if not frame.empty:
        st.caption(markdown_text(region_alt_text(frame)))
    st.caption(
        _(
            "Dot: the region's mean audit score. Line: from its worst to its best branch by "
            "the shrunken estimate."
        )
    )
    show_table(frame, region_columns())


def region_alt_text(frame: pd.DataFrame) -> str:
    high = _extreme(frame, "mean", lowest=False)
    low = _extreme(frame, "mean", lowest=True)
    return ngettext(
        "Chart: {count} region, mean {high}.",
        "Chart: {count} regions; the highest mean is {high_region} ({high}), the lowest "
        "{low_region} ({low}).",
        len(frame),
    ).format(
        count=formats.integer(len(frame)),
        high_region=high["region"],
        high=formats.decimal(high["mean"], 1),
        low_region=low["region"],
        low=formats.decimal(low["mean"], 1),
    )


# ---------------------------------------------------------------------------
# Trend
# ---------------------------------------------------------------------------


def trend_tab(
    means: pd.DataFrame, index: pd.DataFrame, period_word: str, bench: Benchmark = CHAIN
) -> None:
    if means.empty:
        st.info(_("No scored audits to follow over time."), icon=":material/info:")
        return
    quarter = period_word == "quarter"
    means = means.assign(period=means["period"].astype(str))
    st.subheader(
        (_("{mean_label} by quarter") if quarter else _("{mean_label} by month")).format(
            mean_label=bench.mean_label
        )
    )
    described_chart(
        spec_of(charts.trend_chart, means, bench.mean_label),
        trend_alt_text(means, bench.mean_label),
        width="stretch",
    )
    flagged = means[means["exceeds_noise"] == True]  # noqa: E712 (None means "no previous")
    if flagged.empty:
        st.caption(
            _(
                "No change from one quarter to the next is larger than the noise of the "
                "visits (90 % band shaded)."
            )
            if quarter
            else _(
                "No change from one month to the next is larger than the noise of the "
                "visits (90 % band shaded)."
            )
        )
    else:
        lines = [
            "- "
            + ngettext(
                "**{period}**: {change} points since {previous} ({audits} audit)",
                "**{period}**: {change} points since {previous} ({audits} audits)",
                int(row["audits"]),
            ).format(
                period=row["period"],
                change=formats.signed(row["change"], 1),
                previous=row["previous_period"],
                audits=formats.integer(row["audits"]),
            )
            for row in flagged.to_dict("records")
        ]
        heading = _("Changes larger than the noise ({count}):").format(count=len(flagged))
        st.markdown(heading + "\n" + "\n".join(lines))
    st.subheader(_("Consistency index by quarter") if quarter else _("Consistency index by month"))
    if index.empty or index["consistency_index"].isna().all():
        st.caption(_("Too few branches per period to measure the spread between them."))
    else:
        shown = index.assign(period=index["period"].astype(str))
        described_chart(
            spec_of(charts.consistency_trend_chart, shown),
            consistency_trend_alt_text(shown),
            width="stretch",
        )
        st.caption(_("When the index rises, the branches are becoming more alike."))


def trend_alt_text(means: pd.DataFrame, mean_label: str) -> str:
    first, last = means.iloc[0], means.iloc[-1]
    beyond = int((means["exceeds_noise"] == True).sum())  # noqa: E712
    return _(
        "Chart: {mean_label} from {first} in {first_period} to {last} in {last_period}, over "
        "{periods} periods; {beyond} changes larger than the noise."
    ).format(
        mean_label=mean_label,
        first=formats.decimal(first["mean"], 1),
        first_period=first["period"],
        last=formats.decimal(last["mean"], 1),
        last_period=last["period"],
        periods=formats.integer(len(means)),
        beyond=formats.integer(beyond),
    )


def consistency_trend_alt_text(index: pd.DataFrame) -> str:
    data = index[index["consistency_index"].notna()]
    first, last = data.iloc[0], data.iloc[-1]
    return _(
        "Chart: the consistency index from {first} in {first_period} to {last} in {last_period}."
    ).format(
        first=formats.decimal(first["consistency_index"], 1),
        first_period=first["period"],
        last=formats.decimal(last["consistency_index"], 1),
        last_period=last["period"],
    )


# ---------------------------------------------------------------------------
# Auditors
# ---------------------------------------------------------------------------


def auditor_columns() -> dict[str, str | ColumnConfig]:
    return {
        "auditor": _("Auditor"),
        "audits": _("Audits"),
        "branches": _("Branches"),
        "leniency": st.column_config.NumberColumn(_("Leniency (points)"), format="%+.1f"),
        "low": st.column_config.NumberColumn(_("90 % low"), format="%+.1f"),
        "high": st.column_config.NumberColumn(_("90 % high"), format="%+.1f"),
        "flagged": st.column_config.CheckboxColumn(_("Flagged")),
        "note": st.column_config.TextColumn(_("Note"), width="large"),
    }


AUDITOR_COLUMNS = ("auditor", "audits", "branches", "leniency", "low", "high", "flagged", "note")


def auditors_tab(effects: stats.AuditorEffects) -> None:
    frame = pd.DataFrame(
        [r.__dict__ for r in effects.rows], columns=[*AUDITOR_COLUMNS, "identified"]
    )
    if frame.empty:
        st.info(_("No scored audits, so no auditor to compare."), icon=":material/info:")
        return
    config = auditor_columns()
    estimated = frame[frame["leniency"].notna()]
    flagged = estimated[estimated["flagged"]]
    lenient = flagged[flagged["leniency"] > 0]
    severe = flagged[flagged["leniency"] < 0]
    if flagged.empty:
        st.success(
            _(
                "No auditor scores clearly more or less kindly than the others on the same "
                "branches."
            ),
            icon=":material/check_circle:",
        )
    for group, sentence in (
        (lenient, _("More lenient than the others: {auditors}")),
        (severe, _("More severe than the others: {auditors}")),
    ):
        if not group.empty:
            names = ", ".join(
                f"{markdown_text(r['auditor'])} ({formats.signed(r['leniency'], 1)})"
                for r in group.to_dict("records")
            )
            st.warning(sentence.format(auditors=names), icon=":material/flag:")
    if not estimated.empty:
        described_chart(
            spec_of(charts.auditor_chart, estimated), auditor_alt_text(estimated), width="stretch"
        )
    show_table(estimated[list(AUDITOR_COLUMNS)], config)
    unknown = frame[frame["leniency"].isna()]
    if not unknown.empty:
        st.subheader(_("Not compared ({count})").format(count=len(unknown)))
        st.caption(_("These auditors share no branches with the others, or too few audits."))
        show_table(unknown[["auditor", "audits", "branches", "note"]], config)
    with st.expander(_("How auditor effects are computed")):
        st.write(effects.method)


def auditor_alt_text(frame: pd.DataFrame) -> str:
    low = _extreme(frame, "leniency", lowest=True)
    high = _extreme(frame, "leniency", lowest=False)
    return _(
        "Chart: {count} auditors, from {severe} ({severe_points} points) to {lenient} "
        "({lenient_points} points) against the average auditor; {flagged} flagged."
    ).format(
        count=formats.integer(len(frame)),
        severe=low["auditor"],
        severe_points=formats.signed(low["leniency"], 1),
        lenient=high["auditor"],
        lenient_points=formats.signed(high["leniency"], 1),
        flagged=formats.integer(int(frame["flagged"].sum())),
    )


# ---------------------------------------------------------------------------
# Changes between periods, calibration
# ---------------------------------------------------------------------------

CHANGES_CHARTED = 30
"""The clearest changes drawn; every branch is in the table below the chart."""


def change_columns() -> dict[str, str | ColumnConfig]:
    return {
        "branch_code": st.column_config.TextColumn(_("Code"), width="small"),
        "branch_name": st.column_config.TextColumn(_("Branch"), width="medium"),
        "earlier_audits": st.column_config.NumberColumn(_("Audits before"), width="small"),
        "later_audits": st.column_config.NumberColumn(_("Audits after"), width="small"),
        "earlier_mean": _score(_("Before")),
        "later_mean": _score(_("After")),
        "change": _score(_("Change")),
        "sentence": st.column_config.TextColumn(_("Reading"), width="large"),
    }


CHANGE_COLUMNS = (
    "branch_code",
    "branch_name",
    "earlier_audits",
    "later_audits",
    "earlier_mean",
    "later_mean",
    "change",
    "sentence",
)


def changes_tab(changes: stats.Changes) -> None:
    """Per branch, how much it moved between two periods, clear changes first."""
    frame = pd.DataFrame([r.__dict__ for r in changes.rows])
    for notice in changes.notices:
        st.caption(markdown_text(notice.message))
    if frame.empty:
        st.info(markdown_text(changes.method), icon=":material/info:")
        return
    up = int((frame["clear"] & (frame["change"] > 0)).sum())
    down = int((frame["clear"] & (frame["change"] < 0)).sum())
    columns = st.columns(3)
    columns[0].metric(_("Branches in both periods"), formats.integer(len(frame)))
    columns[1].metric(_("Clearly up"), formats.integer(up))
    columns[2].metric(_("Clearly down"), formats.integer(down))
    charted = frame[frame["low"].notna()].head(CHANGES_CHARTED)
    if not charted.empty:
        described_chart(
            spec_of(charts.change_chart, charted),
            change_alt_text(charted, up, down),
            width="stretch",
        )
        if len(frame) > len(charted):
            st.caption(
                _("The {count} clearest changes; every branch is in the table.").format(
                    count=len(charted)
                )
            )
    show_table(frame[list(CHANGE_COLUMNS)], change_columns())
    with st.expander(_("How changes are computed")):
        st.write(changes.method)


def change_alt_text(frame: pd.DataFrame, up: int, down: int) -> str:
    rise = _extreme(frame, "change", lowest=False)
    drop = _extreme(frame, "change", lowest=True)
    return _(
        "Chart: {count} branches, {up} clearly up and {down} clearly down; the largest rise "
        "is {rise} ({rise_points} points), the largest drop {drop} ({drop_points} points)."
    ).format(
        count=formats.integer(len(frame)),
        up=formats.integer(up),
        down=formats.integer(down),
        rise=rise["branch_name"],
        rise_points=formats.signed(rise["change"], 1),
        drop=drop["branch_name"],
        drop_points=formats.signed(drop["change"], 1),
    )


def calibration_columns() -> dict[str, str | ColumnConfig]:
    return {
        "checklist": st.column_config.TextColumn(_("Checklist"), width="small"),
        "item": st.column_config.TextColumn(_("Item"), width="medium"),
        "statistic": st.column_config.TextColumn(_("Statistic"), width="small"),
        "value": st.column_config.NumberColumn(_("Agreement"), format="%.2f", width="small"),
        "low": st.column_config.NumberColumn(_("90 % low"), format="%.2f", width="small"),
        "high": st.column_config.NumberColumn(_("90 % high"), format="%.2f", width="small"),
        "percent_agreement": st.column_config.NumberColumn(_("Same answer %"), format="%.0f"),
        "pairs": st.column_config.NumberColumn(_("Pairs"), width="small"),
        "note": st.column_config.TextColumn(_("Note"), width="large"),
    }


CALIBRATION_COLUMNS = (
    "checklist",
    "item",
    "statistic",
    "value",
    "low",
    "high",
    "percent_agreement",
    "pairs",
    "note",
)


def pair_columns() -> dict[str, str | ColumnConfig]:
    return {
        "auditor_a": st.column_config.TextColumn(_("Auditor A")),
        "auditor_b": st.column_config.TextColumn(_("Auditor B")),
        "pairs": st.column_config.NumberColumn(_("Visits together"), width="small"),
        "mean_abs_difference": _score(_("Mean gap")),
        "mean_difference": _score(_("A minus B")),
        "note": st.column_config.TextColumn(_("Note"), width="large"),
    }


STATISTICS = {"AC1": N_("AC1"), "ICC": N_("ICC")}
"""The agreement statistics' names (Gwet's AC1, the intraclass correlation)."""
PAIR_COLUMNS = ("auditor_a", "auditor_b", "pairs", "mean_abs_difference", "mean_difference", "note")


def calibration_section(
    calibration: stats.Calibration,
    labels: Labels | None = None,
    checklist_titles: Mapping[str, str] | None = None,
) -> None:
    """Under the auditor effects: where two auditors scored the same visit, how closely
    they agree, per pair of auditors and per item (items by their question)."""
    st.subheader(_("Calibration: two auditors on the same visit"))
    if calibration.empty:
        st.caption(markdown_text(calibration.method))
        return
    overall = calibration.overall
    if overall is not None and overall.value is not None:
        if overall.low is None or overall.high is None:
            sentence = _(
                "{pairs} calibration pairs; agreement on the overall score (ICC) {value}. "
                "1 = perfect agreement, 0 = no better than chance."
            )
        else:
            sentence = _(
                "{pairs} calibration pairs; agreement on the overall score (ICC) {value} "
                "(90 % interval {low} to {high}). 1 = perfect agreement, 0 = no better than "
                "chance."
            )
        st.write(
            sentence.format(
                pairs=formats.integer(len(calibration.pairs)),
                value=formats.decimal(overall.value, 2),
                low=formats.decimal(overall.low, 2),
                high=formats.decimal(overall.high, 2),
            )
        )
    pairs = pd.DataFrame([p.__dict__ for p in calibration.auditor_pairs])
    if not pairs.empty:
        show_table(pairs[list(PAIR_COLUMNS)], pair_columns())
    items = pd.DataFrame([i.__dict__ for i in calibration.items])
    if not items.empty:
        labels = labels or {}
        titles = checklist_titles or {}
        items["checklist"] = [titles.get(c, c) for c in items["checklist_id"]]
        items["statistic"] = [_(STATISTICS.get(x, x)) for x in items["statistic"]]
        items["item"] = [
            _("Overall score") if i == "overall" else labels.get((c, i), i)
            for c, i in zip(items["checklist_id"], items["item_id"], strict=True)
        ]
        show_table(
            items.sort_values("value", na_position="last")[list(CALIBRATION_COLUMNS)],
            calibration_columns(),
        )
    with st.expander(_("How agreement is computed")):
        st.write(calibration.method)
