"""The Typer application and its command groups; commands register themselves on import."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Franchise consistency audits: checklists, scores and comparisons across branches.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
checklists_app = typer.Typer(help="List, show and validate checklists.", no_args_is_help=True)
branches_app = typer.Typer(help="Import and list branches.", no_args_is_help=True)
db_app = typer.Typer(help="Create, upgrade and check the database schema.", no_args_is_help=True)
app.add_typer(checklists_app, name="checklists")
app.add_typer(branches_app, name="branches")
app.add_typer(db_app, name="db")
report_app = typer.Typer(help="PDF reports: audits, branches, comparisons.", no_args_is_help=True)
app.add_typer(report_app, name="report")
actions_app = typer.Typer(
    help="Corrective actions: list them, reassign, set due dates, close.", no_args_is_help=True
)
app.add_typer(actions_app, name="actions")
plans_app = typer.Typer(
    help="Visit plans: draft one per checklist and period, look at it, adjust, publish.",
    no_args_is_help=True,
)
app.add_typer(plans_app, name="plans")
