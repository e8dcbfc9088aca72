"""Words the UI shows for stored codes, so every page names a channel the same way."""

from __future__ import annotations

from audit_app.domain.audit import Channel

CHANNEL_LABELS: dict[str, str] = {
    Channel.IN_PERSON: "In person",
    Channel.PHONE: "Phone call",
    Channel.EMAIL: "E-mail",
    Channel.WEB_FORM: "Web form",
    Channel.SOCIAL_MEDIA: "Social media",
    Channel.REVIEW_SITE: "Review site",
    Channel.ON_SITE: "On site",
}


def channel_label(channel: Channel | str | None) -> str:
    """A channel as people say it; "—" for none, and a readable form of an unknown code."""
    if not channel:
        return "—"
    return CHANNEL_LABELS.get(str(channel)) or str(channel).replace("_", " ").capitalize()
