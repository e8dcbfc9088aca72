"""A profile's regular expressions are written by people (area managers save profiles on
the Import page): a pattern with a repetition inside a repetition (``(a+)+``, ``(\\w+\\s?)+``)
can take minutes on a forty-character cell and hold a worker with it. Python's ``re`` has
no timeout, so such a pattern is refused when the profile is loaded."""

from __future__ import annotations

import re._parser as sre  # type: ignore[import-not-found,unused-ignore]
from typing import Any

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def nested_repetition(pattern: str) -> bool:
    """Whether an unbounded repetition holds another unbounded repetition (star height
    above one): the shape whose backtracking grows exponentially with the text."""
    return _nested(sre.parse(pattern), inside=False)


def _nested(items: Any, *, inside: bool) -> bool:
    for op, argument in items:
        if op in _REPEATS:
            _, most, body = argument
            unbounded = most == sre.MAXREPEAT or most > 100
            if (unbounded and inside) or _nested(body, inside=inside or unbounded):
                return True
        elif op == sre.BRANCH:
            if any(_nested(branch, inside=inside) for branch in argument[1]):
                return True
        elif op in (sre.SUBPATTERN, sre.ASSERT, sre.ASSERT_NOT) and _nested(
            argument[-1], inside=inside
        ):
            return True
    return False
