"""New visit: enter a mystery-shop visit item by item, save it as a draft, submit it.

The page is thin: widgets keep their values in session state (so a refused submit loses
nothing) and persist across page switches (so a visit to Compare loses nothing either), the
actions run as button callbacks that call the drafts service, and their outcome is shown as a
message next to the buttons or as the submitted audit's score card. The draft being edited is
remembered under a plain session key; should the form's widgets ever be forgotten, that draft
is reloaded as last saved, so the banner and the form never disagree about what a save replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime, time
from typing import Any

import streamlit as st

from audit_app.domain.audit import AuditKind, AuditRecord, Branch, Channel, Visit
from audit_app.domain.checklist import Checklist, localized
from audit_app.domain.labels import channel_label
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
from audit_app.i18n import _, current_language, formats, language_name, ngettext
from audit_app.services.actions import actions_opened
from audit_app.services.auditors import form_choices
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.drafts import (
    DraftSummary,
    discard_draft,
    list_drafts,
    load_draft,
    save_draft,
    submit_draft,
)
from audit_app.services.reports import audit_report
from audit_app.ui.components.auditor_picker import auditor_picker
from audit_app.ui.components.branch_picker import branch_picker
from audit_app.ui.components.photo_input import remember_thumbnails
from audit_app.ui.components.refusals import attempt
from audit_app.ui.components.score_card import OpenedActions, score_card
from audit_app.ui.components.session import user_context
from audit_app.ui.components.visit_form import (
    PERSIST,
    answer_sections,
    answers_to_state,
    clear_answers,
    linked_summary,
    mark_questions,
    missing_item_ids,
    missing_mark,
    photo_mark,
    photos_needed,
    progress,
    read_answers,
)
from audit_app.ui.components.visit_form import SubmittedVisit as Submitted

BRANCH, CHECKLIST, CHANNEL = "nv_branch", "nv_checklist", "nv_channel"
DAY, HOUR, AUDITOR, LANGUAGE = "nv_date", "nv_time", "nv_auditor", "nv_language"
HEADER = (BRANCH, CHECKLIST, CHANNEL, DAY, HOUR, AUDITOR, LANGUAGE)
DRAFT_ID, DRAFT_PICK = "nv_draft_id", "nv_draft_pick"
DEFAULTS_FOR, KEPT_HEADER = "nv_defaults_for", "nv_kept_header"
REFERENCE = "nv_reference"
# The visit's outside reference (optional): each visit's own, so never kept for the next.
# (A comment, not a string: Streamlit's magic would show a bare string on the page.)
RESULT, FLASH, OWNER = "nv_result", "nv_flash", "nv_owner"
PRESET = ("branch", "checklist", "channel", "draft")
# The address parameters that start a planned visit (see _preset_from_address).


def render() -> None:
    ctx = user_context()
    _forget_another_users_visit(ctx)
    _preset_from_address(ctx)
    st.title(_("New visit"))
    if ctx.user is not None and not ctx.user.can_write:
        st.warning(
            _(
                "You are logged in as a viewer: viewers can read every audit but cannot enter "
                "visits. Ask head office for an area manager account to record visits."
            ),
            icon=":material/lock:",
        )
        return
    submitted = st.session_state.get(RESULT)
    if isinstance(submitted, Submitted):
        _show_submitted(ctx, submitted)
        return
    visible = list_branches(ctx)
    active = [branch for branch in visible if branch.active]
    if not active:
        _no_branches(ctx, bool(visible))
        return
    st.caption(_("Record a mystery-shop visit. Save a draft at any time; submit when complete."))
    _reopen_forgotten_draft(ctx)
    _drafts(ctx)
    checklist, branch = _header(ctx, visible, active)
    language = st.session_state[LANGUAGE]
    _continuing_note(checklist)
    done, required = progress(checklist, st.session_state)
    st.progress(
        done / required if required else 1.0,
        text=_("Answered {done} of {total} required items").format(
            done=formats.integer(done), total=formats.integer(required)
        ),
    )
    answer_sections(checklist, language, ctx)
    _actions(ctx, checklist, branch)


def _forget_another_users_visit(ctx: AppContext) -> None:
    """The form persists for the browser session, and a log-out keeps the session: so when
    someone else logs in, drop the last user's visit, draft link and submitted result."""
    state = st.session_state
    if OWNER in state and state[OWNER] != ctx.user:
        for key in [k for k in state if str(k).startswith(("nv_", "nv."))]:
            del state[key]
    state[OWNER] = ctx.user


def _preset_from_address(ctx: AppContext) -> None:
    """``new-visit?branch=CODE&checklist=ID&channel=CHANNEL`` (the home's "Enter visit" for a
    planned visit) starts a visit with those chosen, once: the parameters are then dropped, so
    the choices stay the user's. A draft being edited is let go (it stays in the drafts list)
    rather than overwritten; a branch, checklist or channel the user cannot pick is ignored.
    ``new-visit?draft=ID`` (the home's "Open draft") continues that draft."""
    asked = {key: st.query_params.get(key) for key in PRESET}
    if not any(asked.values()):
        return
    for key in PRESET:
        st.query_params.pop(key, None)
    state = st.session_state
    state.pop(RESULT, None)
    draft = str(asked["draft"] or "")
    if draft.isdigit() and len(draft) < 12:
        _continue_draft(ctx, int(draft))
        return
    if state.get(DRAFT_ID) is not None:
        with suppress(AuditAppError):
            clear_answers(ctx.catalogue.resolve(str(state.get(CHECKLIST))), state)
        state[DRAFT_ID] = None
    active = {b.code: b for b in list_branches(ctx) if b.active}
    # The branch asked for; else the one chosen already; else the first (as the form would).
    branch = active.get(str(asked["branch"])) or active.get(str(state.get(BRANCH)))
    branch = branch or next(iter(active.values()), None)
    latest = {c.id: c for c in ctx.catalogue.latest()}
    checklist = latest.get(str(asked["checklist"]))
    if branch is not None:
        state[BRANCH] = branch.code
    if checklist is not None:
        state[CHECKLIST] = _ref(checklist)
    if asked["channel"] in list(Channel):
        state[CHANNEL] = Channel(str(asked["channel"]))
    elif checklist is not None:
        state[CHANNEL] = _default_channel(checklist)
    if branch is not None and checklist is not None:
        state[DEFAULTS_FOR] = (branch.code, _ref(checklist))  # keeps the channel chosen here
        state[LANGUAGE] = _default_language(checklist, branch)


# --------------------------------------------------------------------------- empty states


def _no_branches(ctx: AppContext, only_inactive: bool) -> None:
    user = ctx.user
    if only_inactive:
        st.info(_("Every branch you can see is inactive: there is nothing to visit."))
    elif user is not None and user.role != Role.HEAD_OFFICE:
        st.info(
            _(
                "No branches in your areas ({areas}) yet. Head office adds branches on the "
                "Admin page; ask them to add yours."
            ).format(areas=markdown_text(", ".join(user.areas))),
            icon=":material/storefront:",
        )
    else:
        st.info(
            _(
                "No branches yet, so there is nothing to visit. Add them on the Admin page "
                "(Branches tab) or with `audit-app branches import FILE` (a CSV or Excel list "
                "with code, name, region and country), or load the demo chain with "
                "`audit-app demo`."
            ),
            icon=":material/storefront:",
        )


# --------------------------------------------------------------------------- drafts


def _drafts(ctx: AppContext) -> None:
    _flash("drafts")
    drafts = attempt(lambda: list_drafts(ctx))
    if not drafts:  # refused (shown) or none
        return
    by_id = {draft.audit_id: draft for draft in drafts}
    me = ctx.user.username if ctx.user is not None else None
    mine = ctx.user is not None and ctx.user.role != Role.HEAD_OFFICE
    count = formats.integer(len(drafts))
    title = (
        _("Your drafts ({count})").format(count=count)
        if mine
        else _("Drafts ({count})").format(count=count)
    )
    with st.expander(title, expanded=True):
        if st.session_state.get(DRAFT_PICK) not in by_id:
            st.session_state[DRAFT_PICK] = drafts[0].audit_id
        st.selectbox(
            _("Draft"),
            list(by_id),
            key=DRAFT_PICK,
            format_func={i: _draft_label(draft, me) for i, draft in by_id.items()}.__getitem__,
        )
        chosen = st.session_state[DRAFT_PICK]
        left, right, _rest = st.columns([1, 1, 3])
        left.button(
            _("Continue draft"),
            icon=":material/edit:",
            on_click=_continue_draft,
            args=(ctx, chosen),
            key="nv_continue",
        )
        with right.popover(_("Discard draft"), icon=":material/delete:"):
            st.write(_("Discard draft #{id} for good? Its answers are lost.").format(id=chosen))
            st.button(
                _("Yes, discard it"),
                type="primary",
                on_click=_discard_draft,
                args=(ctx, chosen),
                key="nv_discard",
            )


def _draft_label(draft: DraftSummary, me: str | None) -> str:
    answered = ngettext("{n} answered", "{n} answered", draft.answered).format(
        n=formats.integer(draft.answered)
    )
    label = (
        f"#{draft.audit_id} · {draft.branch_code} {draft.branch_name} · "
        f"{draft.checklist_title} · "
        f"{formats.datetime(draft.visited_at)} · {draft.auditor} · {answered}"
    )
    if draft.created_by not in (None, me):
        label = _("{draft} · saved by {user}").format(draft=label, user=draft.created_by)
    return label


def _continue_draft(ctx: AppContext, draft_id: int) -> None:
    error = _open_draft(ctx, draft_id)
    if error is not None:
        _say("drafts", "error", markdown_text(error))
        return
    _say("drafts", "info", _("Draft #{id} loaded: carry on below.").format(id=draft_id))


def _reopen_forgotten_draft(ctx: AppContext) -> None:
    """If a draft is being edited but the form's widgets were forgotten, reload the draft.

    Without this the form would come back with its defaults (another checklist, nothing
    answered) while a save still replaced the draft. What was typed since the last save is
    lost in that case; the widgets' ``persist_state`` normally keeps it.
    """
    state = st.session_state
    draft_id = state.get(DRAFT_ID)
    if draft_id is None or all(key in state for key in HEADER):
        return
    error = _open_draft(ctx, draft_id)
    if error is None:
        _say("drafts", "info", _("Draft #{id} reopened as last saved.").format(id=draft_id))
        return
    state[DRAFT_ID] = None
    _say(
        "drafts",
        "warning",
        markdown_text(
            _("Draft #{id} is no longer there ({reason}): the form below is a new visit.").format(
                id=draft_id, reason=error
            )
        ),
    )


def _open_draft(ctx: AppContext, draft_id: int) -> str | None:
    """Fill the form with a stored draft and edit it from now on; or why it cannot be."""
    state = st.session_state
    try:
        stored = load_draft(ctx, draft_id)
        visit = stored.record.visit
        checklist = ctx.catalogue.get(visit.checklist_id, visit.checklist_version)
    except AuditAppError as error:
        return str(error)
    state[BRANCH] = visit.branch_code
    state[CHECKLIST] = _ref(checklist)
    state[CHANNEL] = visit.channel or _default_channel(checklist)
    state[DAY] = visit.visited_at.date()
    state[HOUR] = visit.visited_at.time()
    state[AUDITOR] = visit.auditor
    state[REFERENCE] = visit.reference or ""
    state[LANGUAGE] = (
        visit.language if visit.language in checklist.languages else checklist.language
    )
    state[DEFAULTS_FOR] = (visit.branch_code, _ref(checklist))
    answers_to_state(checklist, stored.record.answers, state)
    remember_thumbnails(ctx, draft_id, stored.record.answers, state)
    state[DRAFT_ID] = draft_id
    return None


def _discard_draft(ctx: AppContext, draft_id: int) -> None:
    try:
        discard_draft(ctx, draft_id)
    except AuditAppError as error:
        _say("drafts", "error", markdown_text(error))
        return
    if st.session_state.get(DRAFT_ID) == draft_id:
        st.session_state[DRAFT_ID] = None
    _say("drafts", "success", _("Draft #{id} discarded.").format(id=draft_id))


def _continuing_note(checklist: Checklist) -> None:
    draft_id = st.session_state.get(DRAFT_ID)
    if draft_id is None:
        return
    note, button = st.columns([4, 1], vertical_alignment="center")
    note.info(
        _(
            "Editing draft #{id}: saving replaces it; submitting stores it as an audit "
            "and removes the draft."
        ).format(id=draft_id),
        icon=":material/edit_document:",
    )
    button.button(
        _("Start a new visit"), on_click=_start_over, args=(checklist,), key="nv_start_over"
    )


def _start_over(checklist: Checklist) -> None:
    clear_answers(checklist, st.session_state)
    mark_questions(checklist, st.session_state, {})
    st.session_state[DRAFT_ID] = None


# --------------------------------------------------------------------------- the visit


def _header(
    ctx: AppContext, visible: list[Branch], active: list[Branch]
) -> tuple[Checklist, Branch]:
    """Branch, checklist, channel, time, auditor and language, with sensible defaults."""
    state = st.session_state
    by_code = {branch.code: branch for branch in visible}
    choices = list(active)
    if state.get(BRANCH) in by_code and by_code[state[BRANCH]] not in choices:
        choices.append(by_code[state[BRANCH]])  # a draft of a branch closed since
    refs = {_ref(c): c for c in sorted(ctx.catalogue.latest(), key=_by_title)}
    if isinstance(state.get(CHECKLIST), str) and state[CHECKLIST] not in refs:
        with suppress(AuditAppError):  # a draft made with an older checklist version
            refs[state[CHECKLIST]] = ctx.catalogue.resolve(state[CHECKLIST])
    people = form_choices(ctx)
    _init_header(ctx, choices, refs, people.own)

    first, second, third = st.columns(3)
    with first:
        code = branch_picker(choices, key=BRANCH, persist_state=PERSIST)
        assert code is not None  # choices holds at least the active branches (see render)
    with second:
        titles = {key: _checklist_label(refs[key], list(refs)) for key in refs}
        ref = st.selectbox(
            _("Checklist"),
            list(refs),
            key=CHECKLIST,
            format_func=titles.__getitem__,
            persist_state=PERSIST,
        )
    checklist, branch = refs[ref], by_code[code]
    if state.get(DEFAULTS_FOR) != (code, ref):
        # A newly chosen branch or checklist brings its own channel and language.
        if state.get(DEFAULTS_FOR) is None or state[DEFAULTS_FOR][1] != ref:
            state[CHANNEL] = _default_channel(checklist)
        state[LANGUAGE] = _default_language(checklist, branch)
        state[DEFAULTS_FOR] = (code, ref)
    kept = state.get(KEPT_HEADER) or {}
    if state.get(CHANNEL) not in list(Channel):
        state[CHANNEL] = kept.get(CHANNEL) or _default_channel(checklist)
    if state.get(LANGUAGE) not in checklist.languages:
        language = kept.get(LANGUAGE)
        state[LANGUAGE] = (
            language if language in checklist.languages else _default_language(checklist, branch)
        )
    with third:
        st.selectbox(
            _("Channel"),
            list(Channel),
            key=CHANNEL,
            format_func={channel: channel_label(channel) for channel in Channel}.__getitem__,
            persist_state=PERSIST,
        )
    day, hour, auditor, language = st.columns(4)
    day.date_input(
        _("Visit date"), key=DAY, max_value=date.today(), format="YYYY-MM-DD", persist_state=PERSIST
    )
    hour.time_input(_("Visit time"), key=HOUR, step=60, persist_state=PERSIST)
    with auditor:
        auditor_picker(people, key=AUDITOR, persist_state=PERSIST)
    language.selectbox(
        _("Language"),
        checklist.languages,
        key=LANGUAGE,
        format_func=language_name,
        help=_("The language of the visit: the questions are shown in it"),
        persist_state=PERSIST,
    )
    st.text_input(
        _("Visit reference (optional)"),
        key=REFERENCE,
        max_chars=ctx.settings.bounds.name_chars,
        help=_(
            "The visit's number in another system, such as an agency's review number: "
            "the audit can be found by it on the Audit page"
        ),
        persist_state=PERSIST,
    )
    if checklist.description:
        description = localized(checklist.description, state[LANGUAGE], checklist.language)
        st.caption(markdown_text(description))
    return checklist, branch


def _init_header(
    ctx: AppContext, branches: list[Branch], refs: dict[str, Checklist], own: str | None = None
) -> None:
    """Defaults for the header widgets the first time (or after a submit, the last ones);
    the auditor is the user's own auditor where there is one."""
    state = st.session_state
    kept = state.get(KEPT_HEADER) or {}
    user = ctx.user
    defaults: dict[str, Any] = {
        BRANCH: branches[0].code,
        CHECKLIST: next(iter(refs)),
        DAY: date.today(),
        HOUR: datetime.now().time().replace(second=0, microsecond=0),
        AUDITOR: own or ((user.display_name or user.username) if user is not None else ""),
    }
    codes = {branch.code for branch in branches}
    for key, default in defaults.items():
        value = state.get(key, kept.get(key))
        valid = {
            BRANCH: value in codes,
            CHECKLIST: value in refs,
            DAY: isinstance(value, date),
            HOUR: isinstance(value, time),
            AUDITOR: isinstance(value, str) and bool(value),
        }[key]
        if not valid:
            state[key] = default
        elif key not in state:
            state[key] = value  # kept from the visit submitted last


def _default_channel(checklist: Checklist) -> Channel:
    return Channel(checklist.channel) if checklist.channel else Channel.IN_PERSON


def _default_language(checklist: Checklist, branch: Branch) -> str:
    """The session's language when the checklist has it, else the branch's, else the
    checklist's own: the questions read in the auditor's language where they can."""
    for language in (current_language(), branch.language):
        if language in checklist.languages:
            return language
    return checklist.language


def _ref(checklist: Checklist) -> str:
    return f"{checklist.id}@{checklist.version}"


def _by_title(checklist: Checklist) -> tuple[str, str]:
    """Checklists in the order people look for them: by title, as the picker shows them."""
    return checklist.title_in(current_language()).casefold(), checklist.id


def _checklist_label(checklist: Checklist, refs: list[str]) -> str:
    versions = sum(ref.partition("@")[0] == checklist.id for ref in refs)
    title = checklist.title_in(current_language())
    if versions > 1:
        return _("{title} (version {version})").format(title=title, version=checklist.version)
    return title


# --------------------------------------------------------------------------- actions


def _actions(ctx: AppContext, checklist: Checklist, branch: Branch) -> None:
    st.divider()
    _flash("actions")
    save, submit, _rest = st.columns([1, 1, 3])
    save.button(
        _("Save draft"),
        icon=":material/save:",
        on_click=_save,
        args=(ctx, checklist),
        key="nv_save",
        help=_("Keep the visit as it is, incomplete or not, and finish it later"),
    )
    submit.button(
        _("Submit"),
        type="primary",
        icon=":material/send:",
        on_click=_submit,
        args=(ctx, checklist, branch.name),
        key="nv_submit",
        help=_("Score and store the visit (every required item must be answered)"),
    )


def _record(ctx: AppContext, checklist: Checklist) -> tuple[AuditRecord | None, list[str]]:
    """The visit the widgets describe, or what keeps it from being one."""
    state = st.session_state
    language = state.get(LANGUAGE) or checklist.language
    read = read_answers(checklist, state, language)
    problems = list(read.problems)
    auditor = str(state.get(AUDITOR) or "").strip()
    if not auditor:
        problems.append(_("Enter the auditor's name."))
    day, hour = state.get(DAY), state.get(HOUR)
    if not isinstance(day, date) or not isinstance(hour, time):
        return None, [*problems, _("Enter the visit date and time.")]
    if problems:
        return None, problems
    visit = Visit(
        branch_code=state[BRANCH],
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        visited_at=datetime.combine(day, hour.replace(second=0, microsecond=0)),
        auditor=auditor,
        kind=AuditKind.MYSTERY_SHOP,
        channel=Channel(state[CHANNEL]) if state.get(CHANNEL) else None,
        language=language,
        reference=str(state.get(REFERENCE) or "").strip() or None,
    )
    return AuditRecord(visit, read.answers), []


def _save(ctx: AppContext, checklist: Checklist) -> None:
    record, problems = _record(ctx, checklist)
    if record is None:
        _mark_values(checklist)
        _say(
            "actions",
            "error",
            markdown_text(_("Not saved: {reasons}").format(reasons=" ".join(problems))),
        )
        return
    try:
        draft_id = save_draft(ctx, record, draft_id=st.session_state.get(DRAFT_ID))
    except AuditAppError as error:
        reasons = _and_then(str(error), _forget_lost_draft(ctx))
        _say("actions", "error", markdown_text(_("Not saved: {reasons}").format(reasons=reasons)))
        return
    st.session_state[DRAFT_ID] = draft_id
    done, required = progress(checklist, st.session_state)
    _say(
        "actions",
        "success",
        _(
            "Draft #{id} saved ({done} of {total} required items answered). "
            "Continue it later from the drafts list at the top of this page."
        ).format(id=draft_id, done=formats.integer(done), total=formats.integer(required)),
    )


def _forget_lost_draft(ctx: AppContext) -> str:
    """After a refused save or submit: if the draft being edited was discarded or submitted
    meanwhile (another tab), stop pointing at it so the next try stores the visit afresh."""
    draft_id = st.session_state.get(DRAFT_ID)
    if draft_id is None:
        return ""
    try:
        load_draft(ctx, draft_id)
    except AuditAppError:
        st.session_state[DRAFT_ID] = None
        return _("Draft #{id} is no longer there: try again to store this visit anew.").format(
            id=draft_id
        )
    return ""


def _and_then(reason: str, more: str) -> str:
    """A refusal's reason and a second sentence: a full stop between them, never two."""
    if not more:
        return reason
    return f"{reason.rstrip().rstrip('.')}. {more}"


def _submit(ctx: AppContext, checklist: Checklist, branch_name: str) -> None:
    state = st.session_state
    record, problems = _record(ctx, checklist)
    if record is None:
        marks = _mark_values(checklist)
        message = markdown_text(_("Not submitted: {reasons}").format(reasons=" ".join(problems)))
        if marks:
            language = state.get(LANGUAGE) or checklist.language
            message += "\n\n" + linked_summary(checklist, marks, language)
        _say("actions", "error", message)
        return
    missing = missing_item_ids(checklist, record.answers)
    if missing:
        marks = {item_id: missing_mark() for item_id in missing}
        mark_questions(checklist, state, marks)
        heading = ngettext(
            "Not submitted: {n} required question still needs an answer (marked in the form):",
            "Not submitted: {n} required questions still need an answer (marked in the form):",
            len(missing),
        ).format(n=formats.integer(len(missing)))
        listed = linked_summary(checklist, marks, record.visit.language)
        _say("actions", "error", f"{heading}\n\n{listed}")
        return
    if _mark_photos_needed(checklist, photos_needed(checklist, record.answers), record):
        return
    mark_questions(checklist, state, {})
    try:
        audit_id, card = submit_draft(ctx, state.get(DRAFT_ID), record)
    except AuditAppError as error:
        reasons = _and_then(str(error), _forget_lost_draft(ctx))
        _say(
            "actions", "error", markdown_text(_("Not submitted: {reasons}").format(reasons=reasons))
        )
        return
    state[RESULT] = Submitted(audit_id, _ref(checklist), record.visit.language, card, branch_name)
    state[KEPT_HEADER] = {key: state.get(key) for key in HEADER}
    state[REFERENCE] = ""
    clear_answers(checklist, state)
    state[DRAFT_ID] = None


def _mark_photos_needed(checklist: Checklist, needing: list[str], record: AuditRecord) -> bool:
    """Mark, at their questions, the failed answers that need a photo; whether any did."""
    language = record.visit.language
    if not needing:
        return False
    marks = {item_id: photo_mark() for item_id in needing}
    mark_questions(checklist, st.session_state, marks)
    heading = ngettext(
        "Not submitted: {n} failed answer needs a photo (marked in the form):",
        "Not submitted: {n} failed answers need a photo (marked in the form):",
        len(needing),
    ).format(n=formats.integer(len(needing)))
    _say("actions", "error", f"{heading}\n\n{linked_summary(checklist, marks, language)}")
    return True


def _mark_values(checklist: Checklist) -> dict[str, str]:
    """Mark, at their questions, the values that do not fit their item; the marks."""
    state = st.session_state
    language = state.get(LANGUAGE) or checklist.language
    marks = read_answers(checklist, state, language).marks()
    mark_questions(checklist, state, marks)
    return marks


# --------------------------------------------------------------------------- result


def _show_submitted(ctx: AppContext, submitted: Submitted) -> None:
    checklist = ctx.catalogue.resolve(submitted.checklist_ref)
    st.success(
        markdown_text(
            _("Audit #{id} for {branch} submitted.").format(
                id=submitted.audit_id, branch=submitted.branch
            )
        ),
        icon=":material/task_alt:",
    )
    opened = OpenedActions(submitted.audit_id, actions_opened(ctx, submitted.audit_id))
    score_card(submitted.card, checklist, submitted.language, actions=opened)
    link, download, again = st.columns(3)
    with link:
        st.page_link(
            "pages/audit_page.py",
            label=_("Open audit #{id}").format(id=submitted.audit_id),
            icon=":material/fact_check:",
            query_params={"id": str(submitted.audit_id)},
        )
    download.download_button(
        _("Download PDF report"),
        data=_report(ctx, submitted.audit_id, submitted.language),
        file_name=f"audit-{submitted.audit_id}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="nv_pdf",
    )
    again.button(_("Enter another visit"), type="primary", on_click=_another, key="nv_another")


def _report(ctx: AppContext, audit_id: int, language: str) -> Callable[[], bytes]:
    """The PDF made only when the button is pressed: rendering it costs a second or so."""
    return lambda: audit_report(ctx, audit_id, language)


def _another() -> None:
    st.session_state.pop(RESULT, None)


# --------------------------------------------------------------------------- messages


def _say(where: str, kind: str, message: str) -> None:
    st.session_state.setdefault(FLASH, []).append((where, kind, message))


def _flash(where: str) -> None:
    """Show (once) the messages the last action left for this place on the page."""
    messages = st.session_state.get(FLASH) or []
    keep = []
    for place, kind, message in messages:
        if place != where:
            keep.append((place, kind, message))
            continue
        show = {"error": st.error, "warning": st.warning, "success": st.success, "info": st.info}
        show[kind](message)
    st.session_state[FLASH] = keep


render()
