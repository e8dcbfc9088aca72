"""The reader an import uses with a mapping profile (layouts we did not design)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from audit_app.excel.model import ReadResult
from audit_app.services.context import AppContext


def reader_for(ctx: AppContext, mapping: str) -> Callable[[str, bytes], ReadResult]:
    """A reader that applies the named (or path-given) mapping profile."""
    from audit_app.excel.mapping import load_profile, read_with_profile

    folder = ctx.settings.data_dir / "mappings"
    profile = load_profile(mapping, folder)
    checklist_id, _, version = str(profile.checklist).partition("@")
    checklist = ctx.catalogue.get(checklist_id, int(version) if version.isdigit() else None)

    def read(name: str, data: bytes) -> ReadResult:
        with tempfile.TemporaryDirectory() as folder_name:
            path = Path(folder_name) / Path(name).name
            path.write_bytes(data)
            return read_with_profile(path, profile, checklist)

    return read
