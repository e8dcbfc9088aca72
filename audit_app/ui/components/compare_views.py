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
from audit_app.ui.components import compare_charts as charts
from audit_app.ui.components.compare_scope import CHAIN, Benchmark

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


# ---------------------------------------------------------------------------
# League table
# ---------------------------------------------------------------------------


def league_frame(table: stats.LeagueTable, bench: Benchmark = CHAIN) -> pd.DataFrame:
    """One row per branch in ranking order, with a link and a chart label; the pooled
    target is named as the user knows it (the chain, or their area)."""
    frame = table.frame()
    if frame.empty:
        return frame
    frame["group"] = frame["group"].replace({"chain": bench.column})
    frame.insert(
        0,
        "branch",
        [branch_link(c, n) for c, n in zip(frame.branch_code, frame.branch_name, strict=True)],
    )
    frame["label"] = [
        code if pd.isna(rank) else f"#{int(rank)} {code}"
        for code, rank in zip(frame["branch_code"], frame["rank"], strict=True)
    ]
    return frame


LEAGUE_COLUMNS: dict[str, str | ColumnConfig] = {
    "rank": st.column_config.NumberColumn("Rank", format="%d", width="small"),
    "tie_band": st.column_config.NumberColumn(
        "Tie band",
        format="%d",
        width="small",
        help="No branch in a band is clearly worse than the band's first: their order within "
        "a band is not meaningful.",
    ),
    "branch": st.column_config.LinkColumn("Branch", display_text=r"name=(.*)$", width="medium"),
    "branch_code": st.column_config.TextColumn("Code", width="small"),
    "region": "Region",
    "audits": st.column_config.NumberColumn("Audits", width="small"),
    "mean": st.column_config.ProgressColumn("Mean", min_value=0, max_value=100, format="%.1f"),
    "low": _score("Mean's 90 % low", width="small"),
    "high": _score("Mean's 90 % high", width="small"),
    "adjusted": _score(
        "Adjusted mean",
        help="The mean with period effects removed (a month that scored higher or lower for "
        "every branch).",
    ),
    "shrunk": _score(
        "Estimate",
        help="What ranks: the adjusted mean pulled toward its target (its group's level) by "
        "how uncertain it is.",
    ),
    "shrunk_low": _score("Estimate's 90 % low", width="small"),
    "shrunk_high": _score("Estimate's 90 % high", width="small"),
    "group": st.column_config.TextColumn(
        "Pulled toward", width="small", help="The group whose level is the estimate's target."
    ),
    "pass_rate": st.column_config.NumberColumn("Pass rate %", format="%.0f", width="small"),
    "critical_failures": st.column_config.NumberColumn("Critical failures", width="small"),
    "grade": st.column_config.TextColumn("Grade", width="small"),
}


def league_tab(table: stats.LeagueTable, bench: Benchmark = CHAIN) -> None:
    frame = league_frame(table, bench)
    ranked = frame[~frame["too_few_to_rank"]]
    few = frame[frame["too_few_to_rank"]]
    bands = ranked["tie_band"].nunique()
    columns = st.columns(3)
    columns[0].metric("Ranked branches", f"{len(ranked):,}")
    columns[1].metric(
        "Tie bands",
        f"{bands}" if bands else "—",
        help="A band ends once a branch is clearly worse than the band's first (probability "
        "at least 0.95).",
    )
    columns[2].metric("Too few audits to rank", f"{len(few):,}")
    if ranked.empty:
        st.info(
            f"No branch has {table.min_audits} audits in this selection, so none is ranked. "
            "Widen the period, or lower “Audits needed to rank” in the sidebar.",
            icon=":material/info:",
        )
    else:
        shown = _ends(ranked, CHART_LIMIT)
        if len(shown) < len(ranked):
            st.caption(
                f"The chart shows the best and worst {CHART_LIMIT // 2} of {len(ranked):,} "
                "ranked branches; the table below lists them all."
            )
        st.altair_chart(
            charts.league_chart(shown, table.chain_mean, bench.mean_label), width="stretch"
        )
        st.caption(
            "Bars: 90 % interval of each branch's estimate. Hollow dot: mean; filled dot: "
            f"estimate (the rank's basis); dashed line: {bench.mean_label.lower()}. "
            "Neighbours in one colour share a tie band."
        )
        st.dataframe(
            ranked[list(LEAGUE_COLUMNS)],
            hide_index=True,
            width="stretch",
            column_config=LEAGUE_COLUMNS,
        )
    if not few.empty:
        st.subheader(f"Too few audits to rank ({len(few):,})")
        st.caption(f"Fewer than {table.min_audits} audits: listed, not ranked.")
        unranked = [c for c in LEAGUE_COLUMNS if c not in ("rank", "tie_band")]
        st.dataframe(few[unranked], hide_index=True, width="stretch", column_config=LEAGUE_COLUMNS)
    with st.expander("How the league table is computed"):
        st.write(" ".join(part for part in (bench.method_scope, table.method) if part))


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
        st.info("No section scores in this selection.", icon=":material/info:")
        return
    order = [row.branch_code for row in table.rows]
    names = {row.branch_code: row.branch_name for row in table.rows}
    if len(order) > CHART_LIMIT:
        order = _pick_branches(table)
    one_checklist = cells["checklist_id"].nunique() == 1
    keys = list(labels)
    position = {key: i for i, key in enumerate(keys)}
    pairs = sorted(
        {(c, s) for c, s in zip(cells["checklist_id"], cells["section_id"], strict=True)},
        key=lambda pair: (pair[0], position.get(pair, len(keys)), pair[1]),
    )
    column_of = {
        pair: labels.get(pair, pair[1])
        if one_checklist
        else f"{checklist_titles.get(pair[0], pair[0])} · {labels.get(pair, pair[1])}"
        for pair in pairs
    }
    shown = cells[cells["branch_code"].isin(set(order))]
    data = pd.DataFrame(
        {
            "label": shown["branch_code"].to_numpy(),
            "branch_name": shown["branch_code"].map(names).to_numpy(),
            "column": [
                column_of[(c, s)]
                for c, s in zip(shown["checklist_id"], shown["section_id"], strict=True)
            ],
            "mean": shown["mean"].to_numpy(),
            "audits": shown["audits"].to_numpy(),
        }
    )
    columns = list(dict.fromkeys(column_of[pair] for pair in pairs))
    st.altair_chart(
        charts.heatmap_chart(data, order, columns), width=charts.heatmap_width(len(columns))
    )
    st.caption(
        "Mean section score per branch (rows in league-table order). A blank cell: no audit "
        "of that branch scored the section."
    )


def heatmap_choices(table: stats.LeagueTable, limit: int = CHART_LIMIT) -> dict[str, list[str]]:
    """The best and worst, the best, or the worst ``limit`` ranked branches by shrunken
    estimate (highest first): never the table's last rows, which are the branches with too
    few audits to rank."""
    ranked = sorted((r for r in table.rows if not r.too_few_to_rank), key=lambda r: -r.shrunk)
    codes = [r.branch_code for r in ranked]
    half = limit // 2
    return {
        f"Best and worst {half}": list(dict.fromkeys(codes[:half] + codes[-half:])),
        f"Best {limit}": codes[:limit],
        f"Worst {limit}": codes[-limit:],
    }


def _pick_branches(table: stats.LeagueTable) -> list[str]:
    """For a big selection: the best and worst, or the best or worst, ``CHART_LIMIT`` ranked
    branches."""
    choices = heatmap_choices(table)
    ranked = sum(not r.too_few_to_rank for r in table.rows)
    picked = st.segmented_control(
        "Branches shown",
        list(choices),
        default=next(iter(choices)),
        key=HEATMAP_SHOW_KEY,
    )
    st.caption(
        f"{len(table.rows):,} branches are too many to draw at once: choose which of the "
        f"{ranked:,} ranked branches to show (by shrunken estimate; those with too few audits "
        "to rank are in the league table), or narrow the selection with the region filter "
        "in the sidebar."
    )
    return choices[picked or next(iter(choices))]


# ---------------------------------------------------------------------------
# Consistency
# ---------------------------------------------------------------------------

STANDARD_COLUMNS: dict[str, str | ColumnConfig] = {
    "checklist": st.column_config.TextColumn("Checklist", width=135),
    "standard": st.column_config.TextColumn("Standard", width=195),
    "between_sd": _score(
        "Spread",
        width=70,
        help="Spread between branches: the noise-corrected SD of their true levels, in points.",
    ),
    "meeting_share": st.column_config.ProgressColumn(
        "Meeting %",
        min_value=0,
        max_value=100,
        format="%.0f",
        width=100,
        help="Share of branches meeting the standard (a section at the pass mark, an item "
        "at full marks).",
    ),
    "mean": _score("Mean", width=60),
    "icc": st.column_config.NumberColumn(
        "ICC",
        format="%.2f",
        width=60,
        help="Share of the variation that lies between branches, ICC(1): 0 = all noise, "
        "1 = all branch.",
    ),
    "branch_sd": _score("SD of means", width=90, help="SD of the branch means, noise included."),
    "branches": st.column_config.NumberColumn("Branches", width=75),
    "audits": st.column_config.NumberColumn("Audits", width=70),
}
"""In reading order, the spread (the tab's point) first and the counts last. The fixed
widths add up to less than a laptop's page, so no column is cut off at the right edge; a
wider page shares out the rest."""


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
    columns[0].metric(
        "Consistency index",
        "—" if index is None else f"{index:.1f}",
        help="100 minus the typical spread between branches' true section scores, in points; "
        "100 = every branch keeps every section at the same level. Period effects (a good "
        "or bad month for everyone) are removed first"
        + ("" if raw is None else f"; without removing them it reads {raw:.1f}")
        + ".",
    )
    columns[1].metric("Sections compared", f"{len(sections)}")
    if items_included:
        columns[2].metric("Items compared", f"{len(result.items)}")
    least = [r for r in result.least_consistent if r.between_sd is not None][:TOP_STANDARDS]
    if least:
        st.subheader("Least consistent standards")
        top = standards_frame(least, labels, checklist_titles)
        top["label"] = top["checklist"] + " · " + top["standard"]
        top["label"] = _unique(top["label"].tolist())
        st.altair_chart(charts.consistency_chart(top), width="stretch")
    st.subheader("Sections by spread between branches")
    _standards_table(sections)
    if not items_included:
        st.caption(
            "Switch on “Include items” to see which checklist items vary most between "
            "branches (a few seconds on a large selection)."
        )
        return
    st.subheader("Items by spread between branches")
    items = standards_frame(result.items, labels, checklist_titles)
    _standards_table(items)


def _standards_table(frame: pd.DataFrame) -> None:
    """One checklist's standards need no checklist column: its width goes to the rest."""
    shown = frame.drop(columns="level")
    if shown["checklist"].nunique() <= 1:
        shown = shown.drop(columns="checklist")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=STANDARD_COLUMNS)


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

REGION_COLUMNS: dict[str, str | ColumnConfig] = {
    "region": "Region",
    "branches": "Branches",
    "audits": "Audits",
    "mean": st.column_config.ProgressColumn("Mean", min_value=0, max_value=100, format="%.1f"),
    "branch_sd": _score("Spread between branches (SD)"),
    "best_branch": "Best branch",
    "best_shrunk": _score("Best estimate"),
    "worst_branch": "Worst branch",
    "worst_shrunk": _score("Worst estimate"),
    "pass_rate": st.column_config.NumberColumn("Pass rate %", format="%.0f"),
    "critical_failures": "Critical failures",
}


def regions_tab(rows: Sequence[stats.RegionSummary]) -> None:
    frame = pd.DataFrame([r.__dict__ for r in rows], columns=list(REGION_COLUMNS))
    st.altair_chart(charts.region_chart(frame), width="stretch")
    st.caption(
        "Dot: the region's mean audit score. Line: from its worst to its best branch by the "
        "shrunken estimate."
    )
    st.dataframe(frame, hide_index=True, width="stretch", column_config=REGION_COLUMNS)


# ---------------------------------------------------------------------------
# Trend
# ---------------------------------------------------------------------------


def trend_tab(
    means: pd.DataFrame, index: pd.DataFrame, period_word: str, bench: Benchmark = CHAIN
) -> None:
    if means.empty:
        st.info("No scored audits to follow over time.", icon=":material/info:")
        return
    means = means.assign(period=means["period"].astype(str))
    st.subheader(f"{bench.mean_label} by {period_word}")
    st.altair_chart(charts.trend_chart(means), width="stretch")
    flagged = means[means["exceeds_noise"] == True]  # noqa: E712 (None means "no previous")
    if flagged.empty:
        st.caption(
            f"No change from one {period_word} to the next is larger than the noise of the "
            "visits (90 % band shaded)."
        )
    else:
        lines = [
            f"- **{row.period}**: {row.change:+.1f} points since {row.previous_period} "
            f"({row.audits} audits)"
            for row in flagged.itertuples()
        ]
        st.markdown(f"Changes larger than the noise ({len(flagged)}):\n" + "\n".join(lines))
    st.subheader(f"Consistency index by {period_word}")
    if index.empty or index["consistency_index"].isna().all():
        st.caption("Too few branches per period to measure the spread between them.")
    else:
        shown = index.assign(period=index["period"].astype(str))
        st.altair_chart(charts.consistency_trend_chart(shown), width="stretch")
        st.caption("When the index rises, the branches are becoming more alike.")


# ---------------------------------------------------------------------------
# Auditors
# ---------------------------------------------------------------------------

AUDITOR_COLUMNS: dict[str, str | ColumnConfig] = {
    "auditor": "Auditor",
    "audits": "Audits",
    "branches": "Branches",
    "leniency": st.column_config.NumberColumn("Leniency (points)", format="%+.1f"),
    "low": st.column_config.NumberColumn("90 % low", format="%+.1f"),
    "high": st.column_config.NumberColumn("90 % high", format="%+.1f"),
    "flagged": st.column_config.CheckboxColumn("Flagged"),
    "note": st.column_config.TextColumn("Note", width="large"),
}


def auditors_tab(effects: stats.AuditorEffects) -> None:
    frame = pd.DataFrame(
        [r.__dict__ for r in effects.rows], columns=[*AUDITOR_COLUMNS, "identified"]
    )
    if frame.empty:
        st.info("No scored audits, so no auditor to compare.", icon=":material/info:")
        return
    estimated = frame[frame["leniency"].notna()]
    flagged = estimated[estimated["flagged"]]
    lenient = flagged[flagged["leniency"] > 0]
    severe = flagged[flagged["leniency"] < 0]
    if flagged.empty:
        st.success(
            "No auditor scores clearly more or less kindly than the others on the same branches.",
            icon=":material/check_circle:",
        )
    for group, word in ((lenient, "lenient"), (severe, "severe")):
        if not group.empty:
            names = ", ".join(
                f"{markdown_text(r.auditor)} ({r.leniency:+.1f})" for r in group.itertuples()
            )
            st.warning(f"More {word} than the others: {names}", icon=":material/flag:")
    if not estimated.empty:
        st.altair_chart(charts.auditor_chart(estimated), width="stretch")
    st.dataframe(
        estimated[list(AUDITOR_COLUMNS)],
        hide_index=True,
        width="stretch",
        column_config=AUDITOR_COLUMNS,
    )
    unknown = frame[frame["leniency"].isna()]
    if not unknown.empty:
        st.subheader(f"Not compared ({len(unknown)})")
        st.caption("These auditors share no branches with the others, or too few audits.")
        st.dataframe(
            unknown[["auditor", "audits", "branches", "note"]],
            hide_index=True,
            width="stretch",
            column_config=AUDITOR_COLUMNS,
        )
    with st.expander("How auditor effects are computed"):
        st.write(effects.method)


# ---------------------------------------------------------------------------
# Changes between periods, calibration
# ---------------------------------------------------------------------------

CHANGES_CHARTED = 30
"""The clearest changes drawn; every branch is in the table below the chart."""
CHANGE_COLUMNS: Mapping[str, ColumnConfig] = {
    "branch_code": st.column_config.TextColumn("Code", width="small"),
    "branch_name": st.column_config.TextColumn("Branch", width="medium"),
    "earlier_audits": st.column_config.NumberColumn("Audits before", width="small"),
    "later_audits": st.column_config.NumberColumn("Audits after", width="small"),
    "earlier_mean": _score("Before"),
    "later_mean": _score("After"),
    "change": _score("Change"),
    "sentence": st.column_config.TextColumn("Reading", width="large"),
}


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
    columns[0].metric("Branches in both periods", f"{len(frame):,}")
    columns[1].metric("Clearly up", f"{up:,}")
    columns[2].metric("Clearly down", f"{down:,}")
    charted = frame[frame["low"].notna()].head(CHANGES_CHARTED)
    if not charted.empty:
        st.altair_chart(charts.change_chart(charted), width="stretch")
        if len(frame) > len(charted):
            st.caption(f"The {len(charted)} clearest changes; every branch is in the table.")
    st.dataframe(
        frame[list(CHANGE_COLUMNS)], hide_index=True, width="stretch", column_config=CHANGE_COLUMNS
    )
    with st.expander("How changes are computed"):
        st.write(changes.method)


CALIBRATION_COLUMNS: Mapping[str, ColumnConfig] = {
    "checklist_id": st.column_config.TextColumn("Checklist", width="small"),
    "item_id": st.column_config.TextColumn("Item", width="medium"),
    "statistic": st.column_config.TextColumn("Statistic", width="small"),
    "value": st.column_config.NumberColumn("Agreement", format="%.2f", width="small"),
    "low": st.column_config.NumberColumn("90 % low", format="%.2f", width="small"),
    "high": st.column_config.NumberColumn("90 % high", format="%.2f", width="small"),
    "percent_agreement": st.column_config.NumberColumn("Same answer %", format="%.0f"),
    "pairs": st.column_config.NumberColumn("Pairs", width="small"),
    "note": st.column_config.TextColumn("Note", width="large"),
}
PAIR_COLUMNS: Mapping[str, ColumnConfig] = {
    "auditor_a": st.column_config.TextColumn("Auditor A"),
    "auditor_b": st.column_config.TextColumn("Auditor B"),
    "pairs": st.column_config.NumberColumn("Visits together", width="small"),
    "mean_abs_difference": _score("Mean gap"),
    "mean_difference": _score("A minus B"),
    "note": st.column_config.TextColumn("Note", width="large"),
}


def calibration_section(calibration: stats.Calibration) -> None:
    """Under the auditor effects: where two auditors scored the same visit, how closely
    they agree, per pair of auditors and per item."""
    st.subheader("Calibration: two auditors on the same visit")
    if calibration.empty:
        st.caption(markdown_text(calibration.method))
        return
    overall = calibration.overall
    if overall is not None and overall.value is not None:
        interval = (
            ""
            if overall.low is None or overall.high is None
            else f" (90 % interval {overall.low:.2f} to {overall.high:.2f})"
        )
        st.write(
            f"{len(calibration.pairs):,} calibration pairs; agreement on the overall score "
            f"(ICC) {overall.value:.2f}{interval}. 1 = perfect agreement, 0 = no better "
            "than chance."
        )
    pairs = pd.DataFrame([p.__dict__ for p in calibration.auditor_pairs])
    if not pairs.empty:
        st.dataframe(
            pairs[list(PAIR_COLUMNS)], hide_index=True, width="stretch", column_config=PAIR_COLUMNS
        )
    items = pd.DataFrame([i.__dict__ for i in calibration.items])
    if not items.empty:
        st.dataframe(
            items.sort_values("value", na_position="last")[list(CALIBRATION_COLUMNS)],
            hide_index=True,
            width="stretch",
            column_config=CALIBRATION_COLUMNS,
        )
    with st.expander("How agreement is computed"):
        st.write(calibration.method)
