"""A programme-like checklist for skip logic, unscored questions and long option labels:
built here as data (no third-party file), shared by the domain, intake and UI tests."""

from __future__ import annotations

import copy
from typing import Any

LONG_ASKED = (
    "The associate asked whether the customer needed another size or colour, offered to "
    "bring it to the fitting room, and checked back within two minutes without being "
    "called; every part of this was seen by the shopper during the visit " + "x" * 160
)
"""An option label well over the 64 characters an option value may have (400 or so)."""
LONG_ASKED_CA = "L'associat va preguntar si calia una altra talla o color " + "y" * 300

PROGRAMME: dict[str, Any] = {
    "id": "fitting",
    "version": 1,
    "title": {"en": "Fitting rooms", "ca": "Emprovadors"},
    "languages": ["en", "ca"],
    "sections": [
        {
            "id": "floor",
            "title": {"en": "Floor"},
            "items": [
                {
                    "id": "floor.open",
                    "type": "yes_no",
                    "na_allowed": True,
                    "text": {"en": "Were the fitting rooms open?"},
                },
                {
                    "id": "floor.fitting",
                    "type": "choice",
                    "text": {"en": "How was the shopper helped?"},
                    "options": [
                        {
                            "value": "asked",
                            "points": 1,
                            "label": {"en": LONG_ASKED, "ca": LONG_ASKED_CA},
                        },
                        {"value": "partly", "points": 0.5, "label": {"en": "Only when asked"}},
                        {"value": "not_asked", "points": 0, "label": {"en": "Not at all"}},
                    ],
                },
                {
                    "id": "floor.clean",
                    "type": "yes_no",
                    "text": {"en": "Was the fitting room clean?"},
                    "applies_if": {"item": "floor.open", "equals": True},
                },
                {
                    "id": "floor.info",
                    "type": "choice",
                    "weight": 0,
                    "text": {"en": "How did the shopper hear of the offer?"},
                    "options": [
                        {"value": "web", "points": 1, "label": {"en": "On the web site"}},
                        {"value": "store", "points": 0, "label": {"en": "In the store"}},
                    ],
                },
                {
                    "id": "floor.tone",
                    "type": "scale",
                    "text": {"en": "Tone of the help"},
                    "applies_if": {"item": "floor.fitting", "in": ["asked", "partly"]},
                },
            ],
        },
        {
            "id": "till",
            "title": {"en": "Till"},
            "applies_if": {"item": "floor.open", "in": ["yes"]},
            "items": [
                {"id": "till.queue", "type": "yes_no", "text": {"en": "Queue under 3 people"}},
                {"id": "till.bag", "type": "yes_no", "weight": 2, "text": {"en": "Bag offered"}},
            ],
        },
    ],
}


def programme() -> dict[str, Any]:
    return copy.deepcopy(PROGRAMME)
