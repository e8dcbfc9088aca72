"""Words the UI shows for stored codes: the domain's one source (``domain.labels``)."""

from __future__ import annotations

from audit_app.domain.labels import (
    action_status_label,
    audit_status_label,
    channel_label,
    item_type_label,
    kind_label,
    role_label,
)

__all__ = [
    "action_status_label",
    "audit_status_label",
    "channel_label",
    "item_type_label",
    "kind_label",
    "role_label",
]
