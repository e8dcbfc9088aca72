"""The ``audit-app`` command line: parse arguments, call a service, print the answer.

One module per command group; importing them registers their commands on ``app``.
"""

from __future__ import annotations

from audit_app.cli import (  # noqa: F401  (imported for their commands)
    action_commands,
    activity_commands,
    audit_commands,
    auditor_commands,
    backup_commands,
    branch_commands,
    calendar_commands,
    checklist_commands,
    compare_commands,
    import_commands,
    mapping_commands,
    plan_commands,
    report_commands,
    report_compare_commands,
    score_commands,
    setup_commands,
    user_commands,
)
from audit_app.cli.app import app


def main() -> None:
    """Run the command; Click's own usage errors (which repeat what was typed) are printed
    through the printer too, so a crafted argument cannot reach the terminal raw."""
    import io
    import sys

    import typer

    from audit_app.cli.printer import say

    try:
        result = app(standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):
        say("Aborted!", err=True)
        sys.exit(1)
    except typer.TyperException as error:
        shown = io.StringIO()
        show = getattr(error, "show", None)
        if show is not None:
            show(file=shown)
        else:
            shown.write(f"Error: {error.format_message()}\n")
        say(shown.getvalue(), err=True, nl=False)
        sys.exit(error.exit_code)
    sys.exit(result if isinstance(result, int) else 0)


__all__ = ["app", "main"]
