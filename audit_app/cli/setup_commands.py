"""Setting up: the demo data, the web server and the database schema."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import app, db_app
from audit_app.cli.common import context, fail, guarded, print_json


@app.command()
@guarded
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Load the demo chain (48 branches, a year of audits); running it again adds nothing."""
    from audit_app.services.demo import load_demo

    ctx = context()
    result = load_demo(ctx)
    if as_json:
        print_json({**result.__dict__, "database": ctx.database_label})
        return
    typer.echo(
        f"Demo loaded into {ctx.database_label}: {result.branches_added} branches and "
        f"{result.audits_added} audits added, {result.audits_already_present} audits were "
        f"already present; {result.users_added} demo users added."
    )


@app.command()
@guarded
def serve(
    port: Annotated[int, typer.Option(help="Port to serve on.", envvar="AUDIT_PORT")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to listen on.", envvar="AUDIT_ADDRESS")
    ] = "localhost",
) -> None:
    """Start the web app (Streamlit) on http://ADDRESS:PORT."""
    ctx = context()  # create and migrate the database before the first page asks
    ctx.engine.dispose()
    app_path = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.maxUploadSize",
        str(ctx.settings.max_upload_mb),
        "--client.toolbarMode",
        "viewer",
        "--theme.primaryColor",
        "#2E7D4F",
    ]
    typer.echo(f"Serving audit-app on http://{address}:{port} (database {ctx.database_label})")
    sys.stdout.flush()
    os.execv(sys.executable, command)


@db_app.command("upgrade")
@guarded
def db_upgrade() -> None:
    """Create the schema or apply pending migrations."""
    from audit_app.services.admin import upgrade_database

    before, after = upgrade_database()
    if before == after:
        typer.echo(f"The database schema is current (revision {after}).")
    else:
        typer.echo(f"Upgraded the database schema from {before or 'empty'} to {after}.")


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
    typer.echo(f"The database schema is current (revision {head}).")
