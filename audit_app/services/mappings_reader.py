"""The reader an import uses with a mapping profile (layouts we did not design)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from audit_app.domain.intake.model import ReadResult
from audit_app.intake.layouts.profile.profile import MappingProfile
from audit_app.intake.source.limits import Limits
from audit_app.services.context import AppContext

ProfileReader = Callable[[str, bytes, Callable[[Any], bool]], ReadResult]


def profile_reader(
    ctx: AppContext, mapping: str, limits: Limits, constants: Mapping[str, str] | None = None
) -> tuple[ProfileReader, MappingProfile]:
    """A reader that applies the named (or path-given) mapping profile under ``limits``,
    with ``constants`` as its defaults, and the profile."""
    from audit_app.intake.layouts.profile import read_with_profile
    from audit_app.services.mappings import load_mapping

    profile = load_mapping(mapping, ctx.settings).with_constants(dict(constants or {}))
    checklist = ctx.catalogue.resolve(profile.checklist)

    def read(name: str, data: bytes, names_branch: Callable[[Any], bool]) -> ReadResult:
        return read_with_profile(
            name, profile, checklist, data=data, names_branch=names_branch, limits=limits
        )

    return read, profile
