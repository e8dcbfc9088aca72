"""The ``audit-app`` command line: parse arguments, call a service, print the answer.

One module per command group; importing them registers their commands on ``app``.
"""

from __future__ import annotations

from audit_app.cli import (  # noqa: F401  (imported for their commands)
    action_commands,
    activity_commands,
    audit_commands,
    backup_commands,
    branch_commands,
    checklist_commands,
    compare_commands,
    import_commands,
    mapping_commands,
    report_commands,
    report_compare_commands,
    score_commands,
    setup_commands,
    user_commands,
)
from audit_app.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
