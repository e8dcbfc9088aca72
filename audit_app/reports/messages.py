"""The few words a report needs beyond plain ``_()``: a checklist's grades and units (data
words the catalogue knows), numbers as the report's language writes them, and the
scoring-rules paragraph built from the checklist's own rule.

Every function here speaks the current language: a renderer sets it with
``use_language(report_language(...))`` around the whole report.
"""

from __future__ import annotations

from audit_app.domain.checklist import Checklist
from audit_app.i18n import _, current_language, formats, supported

DEFAULT = "en"


def report_language(language: str | None) -> str:
    """The language a report prints in: the one asked for when known, else English."""
    return supported(language) or DEFAULT


def number(value: float | None, decimals: int = 1) -> str:
    """A score with one decimal as the current language writes it (N/A when missing)."""
    if value is None:
        return _("N/A")
    return formats.decimal(value, decimals)


def plain(value: object) -> str:
    """A measured value as typed (4, 2.5), with the current language's decimal sign."""
    if not isinstance(value, float | int) or isinstance(value, bool):
        return str(value)
    if float(value).is_integer():
        return formats.integer(value)
    digits = len(f"{value:g}".partition(".")[2])
    return formats.decimal(value, digits)


def scoring_rules(checklist: Checklist) -> str:
    """The scoring-method paragraph (as ``domain.scoring.scoring_method`` states it) in the
    current language, built from the checklist's own rule so its numbers are the
    checklist's."""
    language = report_language(current_language())
    rule = checklist.critical_rule
    if rule.kind == "flag":
        critical = _("a failed critical item is flagged and the score stays as it is")
    elif rule.kind == "zero":
        critical = _("a failed critical item sets the overall score to 0")
    else:
        critical = _("a failed critical item caps the overall score at {cap}").format(
            cap=plain(rule.cap)
        )
    weights = (
        _("Each section counts with the weight the checklist gives it")
        if checklist.sections_weighted
        else _("Sections count in proportion to the weights of their counted items (pooled points)")
    )
    return _(
        "Scores follow the checklist “{title}”, version {version}. Each item scores from 0 "
        "to 1 (yes = 1, no = 0; scales and choices by their points; measured values 1 when "
        "the target is met, falling linearly to 0 where a zero point is set). A section's "
        "score is the weighted mean of its answered items; items answered N/A leave both the "
        "numerator and the denominator. {weights}. Critical items: {critical}. Pass mark "
        "{pass_mark}; grades and the pass mark apply to the score shown with one decimal."
    ).format(
        title=checklist.title_in(language),
        version=checklist.version,
        weights=weights,
        critical=critical,
        pass_mark=plain(checklist.pass_mark),
    )
