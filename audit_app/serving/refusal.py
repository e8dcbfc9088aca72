"""Why serving with several processes could not start or went on no longer."""

from __future__ import annotations

from enum import StrEnum

from audit_app.errors import AuditAppError


class ServingCode(StrEnum):
    """Callers branch on these, never on the text."""

    BAD_PROCESSES = "serving_bad_processes"
    BAD_ADDRESS = "serving_bad_address"
    NO_HAPROXY = "serving_no_haproxy"
    PROXY_FAILED = "serving_proxy_failed"
    WORKER_FAILED = "serving_worker_failed"


class ServingRefused(AuditAppError):
    def __init__(self, code: ServingCode, message: str) -> None:
        self.code = code
        super().__init__(message)
