"""The demo chain loaded once per test module, and reading a PDF back as text."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pdfplumber
import pytest

from audit_app.config import Settings, default_checklists_dir
from audit_app.reports.layout import MARGIN
from audit_app.services.context import AppContext, open_context
from audit_app.services.demo import load_demo


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """Loading the demo takes seconds: every test of a module reads the same copy."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("reports-demo"), checklists_dir=default_checklists_dir()
    )
    ctx = open_context(settings)
    load_demo(ctx)
    yield ctx
    ctx.engine.dispose()


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def column_text(content: bytes, left_mm: float, right_mm: float) -> str:
    """The text of one table column on every page, wrapped lines joined with spaces, so a
    question that wraps inside its cell reads as one sentence."""
    mm = 72 / 25.4
    parts = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            box = (MARGIN + left_mm * mm, 0, MARGIN + right_mm * mm, page.height)
            parts.append(page.crop(box).extract_text() or "")
    return " ".join(" ".join(parts).split())


def flat(text: str) -> str:
    return " ".join(text.split())
