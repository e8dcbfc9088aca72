"""What "the chain" is for the user looking: every branch for head office and viewers, but
only their own areas for an area manager, whose figures the services narrow to those areas.
A page that compares with "the chain" takes its words from here so it never claims more."""

from __future__ import annotations

from dataclasses import dataclass

from audit_app.domain.users import Role, User


@dataclass(frozen=True)
class Benchmark:
    """The words for the group a branch is compared with."""

    noun: str
    """In a sentence: "the chain", "your area", "your areas"."""
    mean_label: str
    """A metric's label: "Chain mean", "Mean of your area"."""
    column: str
    """A table column or legend entry: "Chain", "Your area"."""
    method_scope: str = ""
    """Said before a method that speaks of "the chain" (the model's words): what the chain
    is here. Empty for head office, whose chain is the chain."""


CHAIN = Benchmark(noun="the chain", mean_label="Chain mean", column="Chain")


def benchmark(user: User | None) -> Benchmark:
    """The chain, or an area manager's area(s): what their means are really taken over."""
    if user is None or user.role != Role.AREA_MANAGER:
        return CHAIN
    noun = "your area" if len(user.areas) == 1 else "your areas"
    scope = (
        f"Where the method says “chain”, read {noun}: the comparison pools only "
        f"the branches of {noun}, and its means, spreads and targets are theirs."
    )
    return Benchmark(
        noun=noun, mean_label=f"Mean of {noun}", column=noun.capitalize(), method_scope=scope
    )
