"""Photos on a visit form's answer: upload or take them, see them, remove them.

A photo is stored (cleaned, written, recorded) the moment it arrives, so the answer only
ever names photos that were kept; the form keeps their hashes per item in session state and
a thumbnail of each, so a rerun, a language switch or a refused submit loses none. The upload
box and the camera are fresh widgets after every upload (their key changes), so a file is
stored once, however often the page reruns. The camera is behind a toggle: the browser asks
for it only when the user wants it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import streamlit as st

from audit_app.domain.audit import Answer
from audit_app.domain.checklist import MAX_PHOTOS_PER_ANSWER, Checklist, Item
from audit_app.domain.evidence import photo_rule
from audit_app.domain.safe_text import markdown_text
from audit_app.errors import AuditAppError
from audit_app.i18n import _, formats
from audit_app.intake.photos import FILE_SUFFIXES, PhotoRefused
from audit_app.services.context import AppContext
from audit_app.services.evidence import THUMBNAIL_EDGE, photo_bytes, store_photo_with_thumbnail
from audit_app.ui.components.photo_view import inline

THUMBNAILS = "nv.thumbnails"
"""Session key: photo hash -> thumbnail bytes (None: its file cannot be read)."""
THUMBNAIL_WIDTH = 96
UPLOAD_TYPES = [suffix.lstrip(".") for suffix in FILE_SUFFIXES]


class ReadableState(Protocol):
    """``st.session_state``, or a dict in tests."""

    def get(self, key: str, /) -> Any: ...


class State(ReadableState, Protocol):
    def __setitem__(self, key: str, value: Any, /) -> None: ...


# --------------------------------------------------------------------------- state keys
# ``base`` is the item's value key in the form (``visit_form.value_key``).


def photos_key(base: str) -> str:
    return base + ".photos"


def refused_key(base: str) -> str:
    return base + ".refused"


def _round_key(base: str) -> str:
    return base + ".upload_round"


def _camera_key(base: str) -> str:
    return base + ".camera"


def photos_of(base: str, state: ReadableState) -> tuple[str, ...]:
    """The hashes of the photos the item carries, in the order they were added."""
    return tuple(state.get(photos_key(base)) or ())


def set_photos(base: str, photos: Iterable[str], state: State) -> None:
    state[photos_key(base)] = list(photos)
    state[refused_key(base)] = []


# --------------------------------------------------------------------------- logic


def add_photos(
    ctx: AppContext, base: str, files: Sequence[tuple[str, bytes]], state: State
) -> list[str]:
    """Store each (file name, bytes) and add it to the item; returns why a file was not
    added, one message per file naming it (also kept in state to show under the item)."""
    photos = list(photos_of(base, state))
    thumbnails = dict(state.get(THUMBNAILS) or {})
    refused: list[str] = []
    for name, data in files:
        if len(photos) >= MAX_PHOTOS_PER_ANSWER:
            refused.append(
                _("{file}: not added, an answer carries at most {limit} photos").format(
                    file=name, limit=formats.integer(MAX_PHOTOS_PER_ANSWER)
                )
            )
            continue
        try:
            stored, thumbnail = store_photo_with_thumbnail(ctx, data, name)
        except PhotoRefused as error:
            refused.append(str(error))  # names the file and says why
            continue
        except AuditAppError as error:
            refused.append(_("{file}: {reason}").format(file=name, reason=error))
            continue
        thumbnails[stored.sha256] = thumbnail
        if stored.sha256 in photos:  # the same photo sent twice is carried once, and said
            refused.append(
                _("{file}: not added, this photo is already on this answer").format(file=name)
            )
            continue
        photos.append(stored.sha256)
    state[photos_key(base)] = photos
    state[refused_key(base)] = refused
    state[THUMBNAILS] = thumbnails
    return refused


def remove_photo(base: str, sha256: str, state: State) -> None:
    """Take a photo off the answer (the stored file stays: another answer may name it)."""
    set_photos(base, [sha for sha in photos_of(base, state) if sha != sha256], state)


def remember_thumbnails(
    ctx: AppContext, audit_id: int, answers: Iterable[Answer], state: State
) -> None:
    """Thumbnails of a stored audit's photos (a draft being continued); a photo whose file
    is missing or altered is remembered as one that cannot be shown."""
    thumbnails = dict(state.get(THUMBNAILS) or {})
    for answer in answers:
        for sha in answer.photos:
            if thumbnails.get(sha) is not None:
                continue
            try:
                thumbnails[sha] = photo_bytes(ctx, audit_id, sha, edge=THUMBNAIL_EDGE)
            except AuditAppError:
                thumbnails[sha] = None
    state[THUMBNAILS] = thumbnails


def _arrived(ctx: AppContext, base: str, widget_key: str) -> None:
    """The upload box's or the camera's callback: store what arrived, start a fresh widget."""
    value = st.session_state.get(widget_key)
    files = value if isinstance(value, list) else [value] if value is not None else []
    add_photos(ctx, base, [(file.name, file.getvalue()) for file in files], st.session_state)
    st.session_state[_round_key(base)] = int(st.session_state.get(_round_key(base)) or 0) + 1


def _remove(base: str, sha256: str) -> None:
    remove_photo(base, sha256, st.session_state)


# --------------------------------------------------------------------------- widgets


def photo_rule_note(checklist: Checklist, item: Item) -> str | None:
    """What to say under an item whose failed answer must carry a photo."""
    if item.type != "photo" and photo_rule(checklist, item) == "required":
        return _("A failed answer needs a photo")
    return None


def photo_control(ctx: AppContext, checklist: Checklist, item: Item, base: str) -> None:
    """The item's photos: a compact "Photos (n)" expander with an upload box, the camera
    behind a toggle, a thumbnail and a remove button per photo, and any refusal by name."""
    state = st.session_state
    photos = photos_of(base, state)
    refused = list(state.get(refused_key(base)) or [])
    label = _("Photos ({count})").format(count=formats.integer(len(photos)))
    with st.expander(
        label,
        expanded=item.type == "photo",
        icon=":material/photo_camera:",
        key=base + ".photos_open",
    ):
        for message in refused:
            # The message quotes the file's name, which the sender chose: shown as typed.
            st.error(markdown_text(message), icon=":material/broken_image:")
        _thumbnails(base, photos)
        if len(photos) >= MAX_PHOTOS_PER_ANSWER:
            st.caption(
                _("This answer has the most photos one answer can carry ({limit}).").format(
                    limit=formats.integer(MAX_PHOTOS_PER_ANSWER)
                )
            )
            return
        round_ = int(state.get(_round_key(base)) or 0)
        upload_key = f"{base}.upload.{round_}"
        st.file_uploader(
            _("Add photos"),
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            key=upload_key,
            on_change=_arrived,
            args=(ctx, base, upload_key),
            # Refused in the browser before it is sent over a phone's connection; the
            # server refuses it anyway, by name, should it get through.
            max_upload_size=max(1, math.ceil(ctx.settings.max_photo_mb)),
            help=_("JPEG, PNG, WebP or HEIC; at most {limit} photos per answer").format(
                limit=formats.integer(MAX_PHOTOS_PER_ANSWER)
            ),
        )
        if st.toggle(_("Use the camera"), key=_camera_key(base)):
            shot_key = f"{base}.shot.{round_}"
            st.camera_input(
                _("Take a photo"),
                key=shot_key,
                on_change=_arrived,
                args=(ctx, base, shot_key),
            )


def _thumbnails(base: str, photos: Sequence[str]) -> None:
    if not photos:
        return
    thumbnails = st.session_state.get(THUMBNAILS) or {}
    with st.container(horizontal=True, gap="small"):
        for number, sha in enumerate(photos, start=1):
            with st.container(width=THUMBNAIL_WIDTH + 24):
                data = thumbnails.get(sha)
                if data:
                    st.image(
                        inline(data),
                        width=THUMBNAIL_WIDTH,
                        alt=_("Photo {number} of this answer").format(number=number),
                    )
                else:
                    st.caption(
                        _(
                            "Photo {number} cannot be shown: its file is missing or was altered."
                        ).format(number=number)
                    )
                st.button(
                    _("Remove"),
                    key=f"{base}.remove.{sha[:16]}",
                    icon=":material/delete:",
                    help=_("Remove photo {number} from this answer").format(number=number),
                    on_click=_remove,
                    args=(base, sha),
                )
