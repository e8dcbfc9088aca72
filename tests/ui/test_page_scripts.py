"""Streamlit runs each page file (and the app's main file) as a script with "magic" on: a
bare string statement is written on the page. A string after a constant, the usual way to
document it in a module, would show as stray text above the page's title."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import audit_app.ui

UI = Path(audit_app.ui.__file__).parent
SCRIPTS = sorted([UI / "app.py", *(UI / "pages").glob("*_page.py")])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_a_page_script_holds_no_bare_string_but_its_docstring(script: Path) -> None:
    body = ast.parse(script.read_text(encoding="utf-8")).body
    strays = [
        node.lineno
        for node in body[1:]
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]
    assert strays == [], f"{script.name}: a bare string at line(s) {strays} is shown on the page"
