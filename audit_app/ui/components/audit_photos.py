"""An audit's photos beside its answers: a thumbnail of each, the full photo in a dialog.

Photos are read through the audit (``services.evidence``), so only people who may see the
branch see them. A photo whose file is missing or was altered says so in place of the
image: the rest of the page is shown as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist, Item, localized
from audit_app.domain.safe_text import markdown_text
from audit_app.errors import AuditAppError
from audit_app.i18n import _, formats, ngettext
from audit_app.services.context import AppContext
from audit_app.services.evidence import THUMBNAIL_EDGE, StoredPhoto, photo_bytes, photo_info
from audit_app.ui.components.photo_view import inline

THUMBNAIL_WIDTH = 120


def photo_caption(photo: StoredPhoto | None) -> str:
    """What is known of a photo: when it was taken, its pixels, the file it came from (its
    name as the sender typed it: ``st.image`` reads a caption as Markdown)."""
    if photo is None:
        return ""
    parts = []
    if photo.captured_at is not None:
        parts.append(_("Taken {time}").format(time=formats.datetime(photo.captured_at)))
    parts.append(
        _("{width} × {height} pixels").format(
            width=formats.integer(photo.width), height=formats.integer(photo.height)
        )
    )
    if photo.original_name:
        parts.append(markdown_text(photo.original_name))
    return " · ".join(parts)


def unavailable_text(number: int) -> str:
    return _("Photo {number} cannot be shown: its file is missing or was altered.").format(
        number=number
    )


def section_photos(
    ctx: AppContext,
    audit_id: int,
    checklist: Checklist,
    items: Sequence[Item],
    answers: Mapping[str, Answer],
    language: str,
) -> None:
    """Under a section's table: each answer that carries photos, its count and thumbnails."""
    carrying = [item for item in items if item.id in answers and answers[item.id].photos]
    if not carrying:
        return
    try:
        info = photo_info(ctx, audit_id)
    except AuditAppError:
        info = {}
    for item in carrying:
        photos = answers[item.id].photos
        count = ngettext("{n} photo", "{n} photos", len(photos)).format(
            n=formats.integer(len(photos))
        )
        question = localized(item.text, language, checklist.language)
        st.markdown(f":material/photo_library: **{markdown_text(question)}** · {count}")
        with st.container(horizontal=True, gap="small"):
            for number, sha in enumerate(photos, start=1):
                _thumbnail(ctx, audit_id, item.id, number, sha, info.get(sha))


def _thumbnail(
    ctx: AppContext,
    audit_id: int,
    item_id: str,
    number: int,
    sha: str,
    photo: StoredPhoto | None,
) -> None:
    with st.container(width=THUMBNAIL_WIDTH + 40):
        try:
            data = photo_bytes(ctx, audit_id, sha, edge=THUMBNAIL_EDGE)
        except AuditAppError:
            st.warning(unavailable_text(number), icon=":material/broken_image:")
            return
        st.image(
            inline(data),
            width=THUMBNAIL_WIDTH,
            alt=_("Photo {number} of this answer").format(number=number),
        )
        if st.button(
            _("View full size"),
            key=f"audit_photo.{audit_id}.{item_id}.{number}",
            help=_("Photo {number} at full size").format(number=number),
        ):
            title = _("Photo {number}").format(number=number)
            st.dialog(title, width="large")(_full_size)(ctx, audit_id, number, sha, photo)


def _full_size(
    ctx: AppContext, audit_id: int, number: int, sha: str, photo: StoredPhoto | None
) -> None:
    try:
        data = photo_bytes(ctx, audit_id, sha)
    except AuditAppError:
        st.warning(unavailable_text(number), icon=":material/broken_image:")
        return
    st.image(
        inline(data),
        caption=photo_caption(photo) or None,
        width="stretch",
        alt=_("Photo {number} at full size").format(number=number),
    )
