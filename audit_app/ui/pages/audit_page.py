"""Audit: one visit in full (who, when, how it scored, every answer) and its PDF report.

Opened as ``audit?id=N`` from the tables of other pages; without an id it opens the latest
audit the user may see and says so. The sidebar's picker opens any of the latest audits (or
those whose visit reference holds a text). Another area's audit is refused exactly like a
missing one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.audit import AuditKind, AuditStatus
from audit_app.domain.checklist import Checklist
from audit_app.domain.filters import AuditFilter
from audit_app.domain.labels import audit_status_label, channel_label, kind_label
from audit_app.domain.safe_text import markdown_text
from audit_app.errors import AuditAppError
from audit_app.i18n import _, current_language, formats, ngettext
from audit_app.services.actions import actions_opened
from audit_app.services.audits import StoredAudit, list_scores, load_audit, score_tuples
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.reports import AuditReportData, audit_report, audit_report_data, find_branch
from audit_app.ui.components.audit_answers import answers_tables
from audit_app.ui.components.audit_revisions import appeals_section, revisions_section
from audit_app.ui.components.cache_scope import Scope, cache_scope
from audit_app.ui.components.checklist_view import language_label
from audit_app.ui.components.follow_up_form import follow_up_block
from audit_app.ui.components.refusals import show_refusal
from audit_app.ui.components.score_card import OpenedActions, score_card
from audit_app.ui.components.session import user_context

PICKER_SIZE = 50
PICKER_KEY = "audit_picker"


def render() -> None:
    ctx = user_context()
    raw = st.query_params.get("id")
    latest = _latest(ctx, cache_scope(ctx.user), data_version(ctx))
    if raw is None:
        if latest.empty:
            st.title(_("Audit"))
            st.info(
                _(
                    "No submitted audits yet. Enter one on the New visit page, import "
                    "filled-in workbooks, or load the demo chain with `audit-app demo`."
                ),
                icon=":material/inbox:",
            )
            return
        raw = str(int(latest["audit_id"].iloc[0]))
        opened_latest = True
    else:
        opened_latest = False
    _picker(ctx, latest)
    audit_id = _audit_number(raw)
    if audit_id is None:
        st.title(_("Audit"))
        st.error(
            markdown_text(
                _("{text} is not an audit number: an audit is opened as audit?id=12.").format(
                    text=repr(raw)
                )
            )
        )
        return
    stamp = data_version(ctx)
    try:
        stored = _stored(ctx, cache_scope(ctx.user), audit_id, stamp)
        checklist = ctx.catalogue.get(
            stored.record.visit.checklist_id, stored.record.visit.checklist_version
        )
        branch_name = find_branch(ctx, stored.record.visit.branch_code).name
        report = None
        if stored.record.status != AuditStatus.DRAFT:
            report = _report_data(ctx, cache_scope(ctx.user), audit_id, stamp, current_language())
    except AuditAppError as error:
        st.title(_("Audit"))  # the page's title comes before the refusal
        show_refusal(error)
        return
    _show(ctx, audit_id, stored, checklist, branch_name, report, opened_latest)


def _audit_number(raw: str) -> int | None:
    text = raw.strip().removeprefix("#")
    return int(text) if text.isdigit() and len(text) < 12 else None


def _show(
    ctx: AppContext,
    audit_id: int,
    stored: StoredAudit,
    checklist: Checklist,
    branch_name: str,
    report: AuditReportData | None,
    opened_latest: bool = False,
) -> None:
    visit = stored.record.visit
    head, picker = st.columns([4, 1], vertical_alignment="bottom")
    # The visit's own language first: the answers and comments were written in it.
    default = visit.language if visit.language in checklist.languages else checklist.language
    language = picker.selectbox(
        _("Language"),
        checklist.languages,
        index=checklist.languages.index(default),
        format_func=language_label,
        help=_("The language of the checklist texts on this page and in the PDF."),
    )
    head.title(_("Audit #{id}").format(id=audit_id))
    if opened_latest:
        st.info(
            _(
                "The latest audit you can see. Open another from the sidebar, or from the "
                "Overview, Compare, Branch and Actions pages."
            ),
            icon=":material/schedule:",
        )
    st.page_link(
        "pages/branch_page.py",
        label=markdown_text(f"{branch_name} ({visit.branch_code})"),
        query_params={"code": visit.branch_code},
        icon=":material/storefront:",
    )
    st.markdown(
        _("**{title}** · version {version}").format(
            title=markdown_text(checklist.title_in(language)), version=checklist.version
        )
    )
    _details(stored)

    if report is None:
        st.warning(
            _(
                "This is a draft: it has not been submitted, so it has no score yet. Its "
                "author can finish and submit it on the New visit page."
            ),
            icon=":material/edit_note:",
        )
        st.subheader(_("Answers so far"))
        answers = {answer.item_id: answer for answer in stored.record.answers}
        answers_tables(checklist, answers, None, language, photos_of=(ctx, audit_id))
        return

    st.download_button(
        _("Download the PDF report"),
        data=lambda: audit_report(ctx, audit_id, language),
        file_name=f"audit-{audit_id}-{visit.branch_code}-{visit.visited_at:%Y-%m-%d}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="audit_pdf",
    )
    follow_up_block(ctx, audit_id, stored, language)  # "Start follow-up" / link to original
    st.subheader(_("Score"))
    opened = (  # a follow-up opens none: its failures are the original's actions
        None
        if visit.kind == AuditKind.FOLLOW_UP
        else OpenedActions(audit_id, actions_opened(ctx, audit_id))
    )
    score_card(report.card, report.checklist, language, actions=opened)
    st.subheader(_("Answers"))
    answers_tables(
        report.checklist,
        report.answers,
        report.card.item_scores,
        language,
        photos_of=(ctx, audit_id),
    )
    edited = revisions_section(ctx, audit_id, report.checklist, language)
    appeals_section(ctx, audit_id, report.checklist, edited)


def _details(stored: StoredAudit) -> None:
    visit, record = stored.record.visit, stored.record
    fields = [
        (_("Visit"), f"{visit.visited_at:%Y-%m-%d %H:%M}"),
        (_("Channel"), channel_label(visit.channel)),
        (_("Auditor"), visit.auditor),
        (_("Kind"), kind_label(visit.kind)),
        (_("Status"), audit_status_label(record.status)),
    ]
    if visit.reference:
        fields.insert(1, (_("Reference"), visit.reference))
    if record.source:
        fields.append((_("Source file"), record.source.removeprefix("import:")))
    for column, (label, value) in zip(st.columns(len(fields)), fields, strict=True):
        column.markdown(f"**{label}**  \n{markdown_text(value)}")


def _picker(ctx: AppContext, latest: pd.DataFrame) -> None:
    """In the sidebar: the latest audits the user may see, or those whose visit reference
    holds the text searched for; choosing one opens it."""
    with st.sidebar:
        wanted = st.text_input(
            _("Find by visit reference"),
            placeholder=_("e.g. RV-100231"),
            help=_("An agency's review number, or part of it (any case)."),
            max_chars=ctx.settings.bounds.name_chars,
        ).strip()
        if wanted:
            found = _by_reference(ctx, cache_scope(ctx.user), wanted, data_version(ctx))
            if found.empty:
                st.info(
                    markdown_text(
                        _("No audit has a visit reference containing {text}.").format(
                            text=repr(wanted)
                        )
                    )
                )
                return
            _choose(
                ctx,
                found,
                ngettext(
                    "Audits whose reference contains {text} ({n})",
                    "Audits whose reference contains {text} ({n})",
                    len(found),
                ).format(text=repr(wanted), n=formats.integer(len(found))),
            )
            return
        if latest.empty:
            return
        _choose(
            ctx,
            latest,
            ngettext(
                "Open the latest audit",
                "Open one of the latest {n} audits",
                len(latest),
            ).format(n=formats.integer(len(latest))),
        )


def _titles(ctx: AppContext, frame: pd.DataFrame) -> dict[tuple[str, int], str]:
    """(checklist id, version) -> the checklist's title in the session's language."""
    language = current_language()
    titles: dict[tuple[str, int], str] = {}
    for key in {
        (str(c), int(v))
        for c, v in zip(frame["checklist_id"], frame["checklist_version"], strict=True)
    }:
        try:
            titles[key] = ctx.catalogue.get(*key).title_in(language)
        except AuditAppError:  # a checklist file removed since: its id still names it
            titles[key] = key[0]
    return titles


def _open_chosen() -> None:
    chosen = st.session_state.get(PICKER_KEY)
    if chosen is not None:
        st.query_params["id"] = str(chosen)
        st.session_state[PICKER_KEY] = None


def _choose(ctx: AppContext, frame: pd.DataFrame, title: str) -> None:
    titles = _titles(ctx, frame)
    labels = {
        int(row.audit_id): (
            f"#{row.audit_id} · {formats.date(row.visited_at)} · {row.branch_name} "
            f"({row.branch_code}) · "
            f"{titles[(str(row.checklist_id), int(row.checklist_version))]} · "
            + formats.decimal(None if pd.isna(row.overall) else row.overall, 1)
            + (f" · {row.visit_reference}" if isinstance(row.visit_reference, str) else "")
        )
        for row in score_tuples(frame)
    }
    st.selectbox(
        title,
        list(labels),
        index=None,
        format_func=labels.__getitem__,
        placeholder=_("Choose an audit"),
        key=PICKER_KEY,
        on_change=_open_chosen,
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _latest(_ctx: AppContext, scope: Scope, stamp: tuple[object, ...]) -> pd.DataFrame:
    """The user's latest submitted audits, newest first."""
    return list_scores(_ctx, newest=PICKER_SIZE).iloc[::-1]


@st.cache_data(show_spinner=False, max_entries=16)
def _by_reference(
    _ctx: AppContext, scope: Scope, wanted: str, stamp: tuple[object, ...]
) -> pd.DataFrame:
    return list_scores(_ctx, AuditFilter(reference=wanted), newest=PICKER_SIZE).iloc[::-1]


@st.cache_data(show_spinner=False, max_entries=64)
def _stored(
    _ctx: AppContext, scope: Scope, audit_id: int, stamp: tuple[object, ...]
) -> StoredAudit:
    return load_audit(_ctx, audit_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _report_data(
    _ctx: AppContext, scope: Scope, audit_id: int, stamp: tuple[object, ...], language: str
) -> AuditReportData:
    """Cached per language too: a refusal raised inside speaks the session's language."""
    return audit_report_data(_ctx, audit_id)


render()
