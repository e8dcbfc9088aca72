"""The reader an import uses with a mapping profile (layouts we did not design)."""

from __future__ import annotations

from collections.abc import Callable

from audit_app.excel.model import ReadResult
from audit_app.services.context import AppContext


def reader_for(ctx: AppContext, mapping: str) -> Callable[[str, bytes], ReadResult]:
    """A reader that applies the named (or path-given) mapping profile."""
    from audit_app.excel.mapping import read_with_profile
    from audit_app.services.mappings import load_mapping

    profile = load_mapping(mapping, ctx.settings)
    checklist = ctx.catalogue.resolve(profile.checklist)

    def read(name: str, data: bytes) -> ReadResult:
        return read_with_profile(name, profile, checklist, data=data)

    return read
