"""axe-core (from npm) run inside the real browser: the accessibility rules a page breaks.

``make test`` installs axe-core with npm into the venv when npm is there; CI (``.ci/run``)
installs npm first, so there the checks never skip (``AUDIT_REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(
    os.environ.get("AUDIT_AXE_JS")
    or ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
)
SERIOUS = ("serious", "critical")


def require_axe() -> Path:
    """The axe-core script, or a skip (a failure where the browser tests are required)."""
    if not AXE.exists():
        reason = f"axe-core not installed ({AXE}): `npm install --prefix .venv/node axe-core`"
        if os.environ.get("AUDIT_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical violations of WCAG 2.1 A/AA rules on the page as it is now."""
    page.add_script_tag(path=str(require_axe()))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
            "html": [node["html"][:160] for node in violation["nodes"]][:3],
        }
        for violation in result["violations"]
        if violation["impact"] in SERIOUS
    ]
