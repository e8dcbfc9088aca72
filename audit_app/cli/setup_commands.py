"""Setting up: the demo data, the web server and the database schema."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from audit_app.cli.app import app, db_app
from audit_app.cli.common import context, fail, guarded, print_json
from audit_app.cli.printer import say
from audit_app.i18n import ngettext
from audit_app.ui.components.theme import BRAND, TEXT

if TYPE_CHECKING:
    from audit_app.serving.supervisor import Plan


@app.command()
@guarded
def demo(
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Load even into a database that holds more than the demo (it adds three "
            "users whose passwords are published).",
        ),
    ] = False,
    unless_in_use: Annotated[
        bool,
        typer.Option(
            "--unless-in-use",
            help="On a database in real use, say so and load nothing (exit 0): what "
            "`make run` does, so it still serves a database someone started using.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Load the demo chain (48 branches, a year of audits, three users with published
    passwords) into an empty database; running it again adds nothing."""
    from audit_app.services.demo import exposed_warning, load_demo, survey

    ctx = context()
    found = survey(ctx)
    if unless_in_use and not force and not found.demo_only:
        say(
            f"The demo is not loaded: {ctx.database_label} holds {found.describe()} "
            "(a database in real use)."
        )
        return
    if force and not found.demo_only:
        say(
            f"warning: --force: loading the demo into {ctx.database_label}, which holds "
            f"{found.describe()}; the demo users hq, marta and guest get the passwords "
            "published in the README",
            err=True,
        )
    result = load_demo(ctx, force=force)
    if as_json:
        print_json({**result.__dict__, "database": ctx.database_label})
    else:
        say(
            f"Demo loaded into {ctx.database_label}: {result.branches_added} branches and "
            f"{result.audits_added} audits added, {result.audits_already_present} audits were "
            f"already present; {result.users_added} demo users and {result.plans_added} visit "
            f"plans added."
        )
    if force and not found.demo_only:
        exposed = survey(ctx).published
        if exposed:
            say(f"warning: {exposed_warning(exposed)}", err=True)


@app.command()
@guarded
def serve(
    port: Annotated[int, typer.Option(help="Port to serve on.", envvar="AUDIT_PORT")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to listen on.", envvar="AUDIT_ADDRESS")
    ] = "localhost",
    processes: Annotated[
        str,
        typer.Option(
            help="How many server processes: a number, or auto for one per core. More than "
            "one puts Debian's haproxy in front (apt-get install haproxy), sticky by cookie.",
            envvar="AUDIT_PROCESSES",
        ),
    ] = "1",
) -> None:
    """Start the web app (Streamlit) on http://ADDRESS:PORT."""
    from audit_app.services.demo import demo_hint, exposed_warning
    from audit_app.serving import supervisor
    from audit_app.serving.haproxy import CLIENT_ADDRESS_HEADER, find_haproxy

    count = supervisor.processes_wanted(processes)
    ctx = context()  # create and migrate the database before the first page asks
    proxy = find_haproxy(ctx.settings.haproxy) if count > 1 else None
    exposed = demo_hint(ctx).exposed
    ctx.engine.dispose()
    if exposed:
        say(f"warning: {exposed_warning(exposed)}", err=True)
    command = _streamlit_command(ctx.settings.max_upload_mb)
    if proxy is None:
        say(f"Serving audit-app on http://{address}:{port} (database {ctx.database_label})")
        sys.stdout.flush()
        command += ["--server.port", str(port), "--server.address", address]
        os.execv(sys.executable, command)
    else:
        # each worker reads the browser's address from the one header haproxy sets
        worker_env = {"AUDIT_CLIENT_ADDRESS_HEADER": CLIENT_ADDRESS_HEADER}
        plan = supervisor.Plan(address, port, count, command, proxy, worker_env=worker_env)
        _serve_behind_proxy(plan, ctx.database_label)


def _serve_behind_proxy(plan: Plan, database: str) -> None:
    """Several workers behind haproxy until a stop signal; what they say goes to stderr."""
    from audit_app.serving import supervisor

    def ready() -> None:
        say(
            ngettext(
                "Serving audit-app on http://{address}:{port} with {count} process behind "
                "haproxy (database {database}).",
                "Serving audit-app on http://{address}:{port} with {count} processes behind "
                "haproxy (database {database}).",
                plan.processes,
            ).format(address=plan.address, port=plan.port, count=plan.processes, database=database)
        )
        sys.stdout.flush()

    supervisor.serve(plan, report=lambda news: say(news, err=True), on_ready=ready)


def _streamlit_command(max_upload_mb: int) -> list[str]:
    """``streamlit run`` on the app with its options, but for the port and address, through
    ``audit_app.ui.server``: every page's libraries imported before the first session."""
    app_path = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    return [
        sys.executable,
        "-m",
        "audit_app.ui.server",
        "run",
        str(app_path),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        # Streamlit runs a full garbage collection after every script run: a third of the
        # server's CPU with 20 sessions at once (py-spy, #21), holding the interpreter lock
        # while every other session waits. Python's own collector still runs as it would.
        "--runner.postScriptGC",
        "false",
        "--server.maxUploadSize",
        str(max_upload_mb),
        "--client.toolbarMode",
        "viewer",
        "--theme.primaryColor",
        BRAND,
        # Captions and axis text are drawn from the text colour at reduced opacity: near
        # black keeps them above WCAG's 4.5:1 contrast (Streamlit's default grey gives 3.7:1).
        "--theme.textColor",
        TEXT,
    ]


@db_app.command("upgrade")
@guarded
def db_upgrade() -> None:
    """Create the schema or apply pending migrations."""
    from audit_app.services.admin import upgrade_database

    before, after = upgrade_database()
    if before == after:
        say(f"The database schema is current (revision {after}).")
    else:
        say(f"Upgraded the database schema from {before or 'empty'} to {after}.")


@db_app.command("check")
@guarded
def db_check() -> None:
    """Say whether the schema is current; exit 1 when migrations are pending."""
    from audit_app.services.admin import schema_status

    current, head = schema_status()
    if current != head:
        raise fail(
            f"the database schema is at {current or 'nothing'}, this version needs {head}; "
            "run: audit-app db upgrade"
        )
    say(f"The database schema is current (revision {head}).")
