"""``audit-app audits history|revise|appeal|resolve`` and ``audit-app verify``: corrections
that make revisions, the branch's appeals, and the check that nothing was changed behind the
app's back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer

from audit_app.cli.app import app
from audit_app.cli.common import context, guarded, print_json, print_rows
from audit_app.cli.printer import live_line, say
from audit_app.i18n import N_, _

if TYPE_CHECKING:
    from audit_app.domain.audit import Answer
    from audit_app.services.context import AppContext

audits_app = typer.Typer(
    help="Correct submitted audits (revisions), read their history, record appeals.",
    no_args_is_help=True,
)
app.add_typer(audits_app, name="audits")

AnswersOpt = Annotated[
    Path | None,
    typer.Option(
        "--answers",
        help="CSV item_id,value[,comment] (or JSON) as `audit-app score` reads; the items in "
        "it replace the current answers, the others stay.",
    ),
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (required; kept in the trail).")]
ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="The user on whose behalf (an existing user name; kept in the trail and the "
        "activity log as given on the command line).",
    ),
]


def _answers(ctx: AppContext, audit_id: int, path: Path) -> list[Answer]:
    """The audit's current answers with the file's items put in their place."""
    from audit_app.domain.audit import Answer
    from audit_app.intake.source.limits import Limits
    from audit_app.services.audits import load_audit
    from audit_app.services.scoring import read_answers

    stored = load_audit(ctx, audit_id)
    visit = stored.record.visit
    checklist = ctx.catalogue.get(visit.checklist_id, visit.checklist_version)
    merged = {answer.item_id: answer for answer in stored.record.answers}
    for new in read_answers(path, checklist, limits=Limits.from_settings(ctx.settings)):
        old = merged.get(new.item_id)
        comment = new.comment if new.comment is not None or old is None else old.comment
        merged[new.item_id] = Answer(
            new.item_id, new.value, new.na, comment, old.photos if old is not None else ()
        )
    return list(merged.values())


@audits_app.command("history")
@guarded
def audits_history(
    audit_id: Annotated[int, typer.Argument(help="Audit number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON, with answers.")] = False,
) -> None:
    """Every revision of an audit: who, when, why and the overall score it gave."""
    from audit_app.domain.answers import encode_value
    from audit_app.domain.scoring import display
    from audit_app.services.revisions import audit_history

    revisions = audit_history(context(), audit_id)
    rows: list[dict[str, Any]] = [
        {
            "revision": r.revision,
            "created_at": r.created_at,
            "created_by": r.created_by,
            "reason": r.reason,
            "overall": display(r.overall),
            "current": r.current,
            "content_hash": r.content_hash,
        }
        for r in revisions
    ]
    if as_json:
        for row, r in zip(rows, revisions, strict=True):
            row["answers"] = {
                item_id: {
                    "value": "N/A" if a.na else encode_value(a),
                    "comment": a.comment,
                    "score": None if r.card is None else r.card.item_scores.get(item_id),
                }
                for item_id, a in sorted(r.answers.items())
            }
        print_json(rows)
        return
    if not rows:
        say(f"Audit #{audit_id} has no submitted revision (is it a draft?).")
        return
    print_rows(rows, ["revision", "created_at", "created_by", "overall", "current", "reason"])


@audits_app.command("revise")
@guarded
def audits_revise(
    audit_id: Annotated[int, typer.Argument(help="Audit number.")],
    answers: AnswersOpt = None,
    reason: ReasonOpt = "",
    by: ByOpt = None,
) -> None:
    """Correct a submitted audit: a new revision with the reason; the old one stays readable."""
    from audit_app.cli.common import fail
    from audit_app.domain.scoring import display
    from audit_app.services.revisions import revise_audit

    if answers is None:
        raise fail("give the corrected answers with --answers FILE", code=2)
    from audit_app.services.operator import named_user

    ctx = context()
    by = named_user(ctx, by)
    made = revise_audit(ctx, audit_id, _answers(ctx, audit_id, answers), reason, by=by)
    say(f"Audit #{audit_id} is now at revision {made.revision} (overall {display(made.overall)}).")


@audits_app.command("appeal")
@guarded
def audits_appeal(
    audit_id: Annotated[int, typer.Argument(help="Audit number.")],
    reason: ReasonOpt = "",
    by: ByOpt = None,
) -> None:
    """Record a branch's appeal against an audit."""
    from audit_app.services.operator import named_user
    from audit_app.services.revisions import raise_appeal

    ctx = context()
    appeal = raise_appeal(ctx, audit_id, reason, by=named_user(ctx, by))
    say(f"Appeal #{appeal.appeal_id} recorded against audit #{audit_id}.")


@audits_app.command("resolve")
@guarded
def audits_resolve(
    appeal_id: Annotated[int, typer.Argument(help="Appeal number.")],
    upheld: Annotated[
        bool | None,
        typer.Option("--upheld/--rejected", help="Uphold (a revision is made) or reject."),
    ] = None,
    reason: ReasonOpt = "",
    answers: AnswersOpt = None,
    by: ByOpt = None,
) -> None:
    """Resolve an appeal: upheld makes a revision, rejected keeps the reason."""
    from audit_app.cli.common import fail
    from audit_app.services.operator import named_user
    from audit_app.services.revisions import resolve_appeal

    if upheld is None:
        raise fail("say --upheld or --rejected", code=2)
    ctx = context()
    by = named_user(ctx, by)
    corrected = None
    if answers is not None:
        if not upheld:
            raise fail("--answers goes with --upheld only", code=2)
        corrected = _answers(ctx, _appeal_audit(ctx, appeal_id), answers)
    appeal = resolve_appeal(ctx, appeal_id, upheld, reason, corrected, by=by)
    made = f": audit #{appeal.audit_id} is now at revision {appeal.revision}" if upheld else ""
    say(f"Appeal #{appeal_id} {appeal.status}{made}.")


@audits_app.command("appeals")
@guarded
def audits_appeals(
    audit_id: Annotated[int, typer.Argument(help="Audit number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The appeals recorded against an audit and how they were resolved."""
    from dataclasses import asdict

    from audit_app.services.revisions import list_appeals

    rows = [asdict(appeal) for appeal in list_appeals(context(), audit_id)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say(f"No appeals against audit #{audit_id}.")
        return
    print_rows(rows, ["appeal_id", "raised_at", "raised_by", "status", "reason", "resolution"])


def _appeal_audit(ctx: AppContext, appeal_id: int) -> int:
    from audit_app.services.revisions import appeal_audit_id

    return appeal_audit_id(ctx, appeal_id)


class _VerifyProgress:
    """One line per step of ``verify`` on stderr (stdout keeps its report): redrawn at each
    chunk on a terminal, else written at each tenth of the step and at its end."""

    STEPS: ClassVar[dict[str, str]] = {
        "audits": N_("audits and their trail"),
        "summaries": N_("item summaries (ranges of branches)"),
        "ledger": N_("sealed records"),
    }

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.shown: dict[str, int] = {}
        self.finished: set[str] = set()

    def __call__(self, step: str, done: int, total: int) -> None:
        tenth = 10 * done // max(1, total)
        final = done >= total
        if step in self.finished:
            return
        if final:
            self.finished.add(step)
        if not self.live and not final and self.shown.get(step, -1) >= tenth:
            return
        self.shown[step] = tenth
        line = _("Verifying {what}: {done} of {total}").format(
            what=_(self.STEPS.get(step, step)), done=f"{done:,}", total=f"{total:,}"
        )
        live_line(line, final=final or not self.live, live=self.live)


@app.command("verify")
@guarded
def verify_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    head: Annotated[
        str | None,
        typer.Option(
            "--head",
            metavar="SEQUENCE:DIGEST",
            help="A head printed by an earlier verify or on a report's last page: the trail "
            "must still reach it.",
        ),
    ] = None,
) -> None:
    """Recompute the audit trail's hashes and scores and check every sealed record; exit 1
    naming every record that no longer matches. Prints the head to write down."""
    from audit_app.services.trail_head import Head
    from audit_app.services.verify import verify

    report = verify(
        context(), head=None if head is None else Head.parse(head), progress=_VerifyProgress()
    )
    shown_head = None if report.head is None else str(report.head)
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "audits": report.audits,
                "revisions": report.revisions,
                "problems": list(report.problems),
                "seconds": round(report.seconds, 3),
                "sealed_records": report.records,
                "photos": report.photos,
                "item_summaries": report.summaries,
                "branch_month_totals": report.totals,
                "head": shown_head,
            }
        )
    elif report.ok:
        say(
            f"OK: {report.audits:,} audits and {report.revisions:,} revisions verified, "
            f"{report.records:,} sealed records and {report.photos:,} photo files checked, "
            f"in {report.seconds:.1f} s."
        )
        say(f"Head: {shown_head or 'none (nothing sealed yet)'}")
    else:
        for problem in report.problems:
            say(problem)
        say(f"Head reached: {shown_head or 'none'}")
    if not report.ok:
        raise typer.Exit(1)
