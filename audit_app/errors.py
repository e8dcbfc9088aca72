"""The one exception family the CLI and the app turn into a plain message."""


class AuditAppError(Exception):
    """A failure the user can act on; its message is shown as it is, without a traceback."""
