"""``audit-app users add|list|set-password|disable``: who may log in, with which role."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from audit_app.cli.app import app
from audit_app.cli.common import context, guarded, print_json, print_rows
from audit_app.cli.printer import say

users_app = typer.Typer(help="Add, list, change and disable users.", no_args_is_help=True)
app.add_typer(users_app, name="users")

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (scripts)."),
]


def _password(from_stdin: bool) -> str:
    """The new password, never echoed: typed twice at a prompt, or one line on stdin."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
@guarded
def users_add(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    role: Annotated[str, typer.Option(help="head_office, area_manager or viewer.")],
    area: Annotated[
        list[str] | None, typer.Option("--area", help="An area managed (repeat; area managers).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Name shown in the app.")] = "",
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user; the password is asked for (or read from stdin) and stored only as a hash."""
    from audit_app.services.users import add_user

    ctx = context()
    user = add_user(
        ctx, username, role, _password(password_stdin), areas=area or [], display_name=name
    )
    areas = f" for {', '.join(user.areas)}" if user.areas else ""
    say(f"Added {user.username} ({user.role.value}{areas}).")


@users_app.command("list")
@guarded
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List users with their role, areas and whether they are active."""
    from audit_app.services.users import list_users

    rows = [
        {**user.model_dump(mode="json"), "areas": ", ".join(user.areas)}
        for user in list_users(context())
    ]
    if as_json:
        print_json(
            [{**row, "areas": row["areas"].split(", ") if row["areas"] else []} for row in rows]
        )
        return
    if not rows:
        say("No users yet. Add one with: audit-app users add NAME --role head_office")
        return
    print_rows(rows, ["username", "display_name", "role", "areas", "active"])


@users_app.command("set-password")
@guarded
def users_set_password(
    username: Annotated[str, typer.Argument(help="Log-in name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Give a user a new password."""
    from audit_app.services.users import set_password

    set_password(context(), username, _password(password_stdin))
    say(f"Password of {username} changed.")


@users_app.command("disable")
@guarded
def users_disable(username: Annotated[str, typer.Argument(help="Log-in name.")]) -> None:
    """Stop a user from logging in (their audits stay)."""
    from audit_app.services.users import disable_user

    disable_user(context(), username)
    say(f"{username} can no longer log in.")
