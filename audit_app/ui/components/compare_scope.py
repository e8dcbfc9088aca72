"""What "the chain" is for the user looking: every branch for head office and viewers, but
only their own areas for an area manager, whose figures the services narrow to those areas.
A page that compares with "the chain" takes its words from here so it never claims more."""

from __future__ import annotations

from dataclasses import dataclass

from audit_app.domain.users import Role, User
from audit_app.i18n import _


@dataclass(frozen=True)
class Benchmark:
    """The words for the group a branch is compared with, in the current language."""

    noun: str
    """In a sentence: "the chain", "your area", "your areas"."""
    mean_label: str
    """A metric's label: "Chain mean", "Mean of your area"."""
    column: str
    """A table column or legend entry: "Chain", "Your area"."""
    level_label: str = ""
    """The model's level branches are pulled toward, not a mean: "Chain level (model)"."""
    method_scope: str = ""
    """Said before a method that speaks of "the chain" (the model's words): what the chain
    is here. Empty for head office, whose chain is the chain."""


def chain() -> Benchmark:
    return Benchmark(
        noun=_("the chain"),
        mean_label=_("Chain mean"),
        column=_("Chain"),
        level_label=_("Chain level (model)"),
    )


CHAIN = Benchmark(
    noun="the chain", mean_label="Chain mean", column="Chain", level_label="Chain level (model)"
)
"""The English words (tests, defaults); pages call :func:`benchmark` for the user's language."""


def benchmark(user: User | None) -> Benchmark:
    """The chain, or an area manager's area(s): what their means are really taken over."""
    if user is None or user.role != Role.AREA_MANAGER:
        return chain()
    if len(user.areas) == 1:
        return Benchmark(
            noun=_("your area"),
            mean_label=_("Mean of your area"),
            column=_("Your area"),
            level_label=_("Level of your area (model)"),
            method_scope=_(
                "Where the method says “chain”, read your area: the comparison pools only "
                "the branches of your area, and its means, spreads and targets are theirs."
            ),
        )
    return Benchmark(
        noun=_("your areas"),
        mean_label=_("Mean of your areas"),
        column=_("Your areas"),
        level_label=_("Level of your areas (model)"),
        method_scope=_(
            "Where the method says “chain”, read your areas: the comparison pools only "
            "the branches of your areas, and its means, spreads and targets are theirs."
        ),
    )
