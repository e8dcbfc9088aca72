"""Arrays kept in a server process and handed to every session (#21): marked read-only, so
that a write in place, which would change every page's figures, raises instead."""

from __future__ import annotations

import numpy as np


def read_only(*arrays: np.ndarray) -> None:
    """Mark arrays that are kept and shared as not to be written in place (views taken of
    them later are read-only too)."""
    for array in arrays:
        array.flags.writeable = False


__all__ = ["read_only"]
