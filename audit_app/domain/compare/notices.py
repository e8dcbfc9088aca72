"""What a comparison must say beside its numbers: the cases in which a table would tell
things that are not true unless a sentence comes with it (no detectable difference, a
noise estimate resting on few degrees of freedom, a ceiling...).

A notice carries a code that code branches on and a sentence people read; every output
(page, command line, CSV/Excel summary, PDF) shows the same sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NoticeCode = Literal[
    "no_detectable_difference",
    "few_noise_degrees",
    "no_replicates",
    "single_branch",
    "ceiling",
    "floor",
    "period_effects",
    "group_targets",
    "auditors_not_connected",
    "reference_version",
    "period_move",
    "calibration_pairs",
    "too_few_periods",
]


@dataclass(frozen=True)
class Notice:
    code: NoticeCode
    message: str
    level: Literal["warning", "info"] = "warning"
    """A warning changes how the numbers may be read; an info explains a choice made."""
