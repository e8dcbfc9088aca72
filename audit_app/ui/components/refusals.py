"""One way for a page to show a refusal, as ``guarded`` is the CLI's.

Services refuse with an :class:`~audit_app.errors.AuditAppError` whose message says what is
wrong and what to do. A page shows it in one red box, its text made inert for Markdown (a
branch name or a reason in the message is shown as typed, never as a link or markup), and
carries on without the result. Anything else is a bug and reaches Streamlit's own handler.

- :func:`attempt` runs one call and returns its result, or None once the refusal is shown;
- :func:`refusal_shown` does the same around a block of statements (``with``), and tells
  afterwards whether it refused;
- :func:`show_refusal` draws the box, for the few places that must do something else first.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from audit_app.domain.safe_text import markdown_text
from audit_app.errors import AuditAppError

T = TypeVar("T")

ICON = ":material/error:"


def show_refusal(error: AuditAppError | str, *, where: DeltaGenerator | None = None) -> None:
    """The refusal in a red box, in ``where`` (a column, a tab...) or at the current place."""
    if where is None:
        st.error(markdown_text(error), icon=ICON)
    else:
        where.error(markdown_text(error), icon=ICON)


def attempt(action: Callable[[], T], *, where: DeltaGenerator | None = None) -> T | None:
    """``action()``; or, when it refuses, None once the refusal is shown.

    Test the result with ``is None``: an empty list or table is a result, not a refusal.
    """
    try:
        return action()
    except AuditAppError as error:
        show_refusal(error, where=where)
        return None


class Refusal:
    """What :func:`refusal_shown` saw: true once a refusal was shown (``error`` holds it)."""

    def __init__(self, where: DeltaGenerator | None = None) -> None:
        self.where = where
        self.error: AuditAppError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    def __enter__(self) -> Refusal:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(error, AuditAppError):
            return False  # no failure, or one that is not a refusal: it goes on
        self.error = error
        show_refusal(error, where=self.where)
        return True


def refusal_shown(*, where: DeltaGenerator | None = None) -> Refusal:
    """A ``with`` block that shows a refusal raised inside it and ends the block there; what
    it gives is true afterwards if it refused: ``with refusal_shown() as refused: ...`` then
    ``if refused: return``."""
    return Refusal(where)
