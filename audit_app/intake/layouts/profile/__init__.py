"""Layouts we did not design, read through a saved mapping profile.

- ``profile``: the profile (YAML, round-trips) and loading / saving it;
- ``matching``: header and question texts compared, items found by id, text or similarity;
- ``columns``: a profile resolved against a header row, and the match report;
- ``grid``: a sheet or CSV file as raw values that know their cell refs;
- ``header``: where the header row is (under merged title and banner rows);
- ``skipping``: rows that are not visits (subtotals, separators, stores closed);
- ``reading``: ``read_with_profile``, wide, long and lines layouts;
- ``rows_layout`` / ``rows_draft``: questions in rows, one column per visit or month;
- ``lines_layout`` / ``lines_draft``: many rows per visit, items aggregated by rule;
- ``header_levels``: two-level merged headers, columns named ``Group / Sub-header``;
- ``synonyms``: header words for branch, date, auditor... in en/es/ca/ro/tr;
- ``suggest``: a draft profile from a file's headers.
"""

from __future__ import annotations

from audit_app.intake.layouts.profile.columns import ColumnMatch, MatchReport, match_report
from audit_app.intake.layouts.profile.profile import (
    MappingProfile,
    ProfileError,
    dump_profile,
    load_profile,
    parse_profile,
    save_profile,
)
from audit_app.intake.layouts.profile.reading import read_with_profile
from audit_app.intake.layouts.profile.suggest import suggest_profile

__all__ = [
    "ColumnMatch",
    "MappingProfile",
    "MatchReport",
    "ProfileError",
    "dump_profile",
    "load_profile",
    "match_report",
    "parse_profile",
    "read_with_profile",
    "save_profile",
    "suggest_profile",
]
