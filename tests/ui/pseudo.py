"""Finding words on a page that did not pass through the catalogue.

In the pseudo-language ``qps`` every translated word comes back as ``⟦word⟧``. After a page
renders, every string it shows (titles, text, labels, help, options, tab and expander labels,
metric labels, table headers and cells, chart titles) has its marked spans removed, then the
data it shows (branch, checklist, user and answer texts from the database and the checklists),
then numbers, dates, codes and punctuation. A word of two or more letters left over is a word
that would stay English in Catalan, Romanian and Turkish.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import JSON, String, Text, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe, Table

from audit_app.domain.safe_text import markdown_text
from audit_app.services.context import AppContext

MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
ALLOWED = ("audit-app", "audit_app", "English", "Català", "Română", "Türkçe")
"""Words that are the same in every language: the product's name, each language's own name."""
_TEXT_FIELDS = {
    "label",
    "body",
    "help",
    "placeholder",
    "options",
    "caption",
    "text",
    "title",
    "value",
    "default",
    "delta",
    "alt",
    "page_title",
}
_SKIP_PROTOS = {"ArrowVegaLiteChart", "Arrow", "Json", "Code", "Html"}
_LEFTOVER = re.compile(r"[^\W\d_]{2,}")
_NOISE = (
    re.compile(r":material/[a-z_]+:"),  # icons
    re.compile(r":[a-z]+(?:-[a-z]+)*\["),  # Markdown directives: :small[…], :red-badge[…]
    re.compile(r"https?://\S+"),
    re.compile(r"\S+@\S+"),
    re.compile(r"\b[A-Z]{2}-[A-Z]{2,4}-\d+\b"),  # branch codes
    re.compile(r"\b\d{4}-\d{2}(-\d{2})?([ T]\d{2}:\d{2}(:\d{2})?)?\b"),  # ISO dates, months
    re.compile(r"\]\([^)]*\)"),  # markdown link targets
)


def shown_strings(app: AppTest) -> Iterator[str]:
    """Every string the page shows."""
    yield from _walk(app._tree)


def _walk(node: Any) -> Iterator[str]:
    if isinstance(node, Dataframe):
        yield from _table_strings(node)
    elif isinstance(node, Table):
        frame = node.value
        yield from (str(column) for column in frame.columns)
        for column in frame.columns:
            if frame[column].dtype == object:
                yield from (str(v) for v in frame[column].dropna().unique())
    elif isinstance(getattr(node, "proto", None), Message):
        proto = node.proto
        kind = type(proto).__name__
        if kind == "ArrowVegaLiteChart" or kind == "VegaLiteChart":
            yield from _chart_titles(json.loads(proto.spec or "{}"))
        elif kind not in _SKIP_PROTOS:
            yield from _proto_strings(proto)
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _table_strings(node: Dataframe) -> Iterator[str]:
    """A table as people see it: each shown column's configured label (its name where it
    has none), its help, link text, and its text cells."""
    frame = node.value
    config = json.loads(node.proto.columns or "{}")
    shown = list(node.proto.column_order) or [str(c) for c in frame.columns]
    for column in shown:
        settings = config.get(column) or config.get(f"col:{column}") or {}
        if settings.get("hidden"):
            continue
        yield str(settings.get("label") or column)
        if settings.get("help"):
            yield str(settings["help"])
        kind = settings.get("type_config") or {}
        text = kind.get("display_text")
        if text and "(" not in text:  # a pattern cut from each link is data, not a word
            yield str(text)
        if kind.get("type") == "link" or column not in frame.columns:
            continue
        if frame[column].dtype == object:  # str first: a sparkline's cell is an array
            yield from dict.fromkeys(str(v) for v in frame[column].dropna())


def _proto_strings(proto: Message) -> Iterator[str]:
    for field, value in proto.ListFields():
        if field.type == field.TYPE_MESSAGE:
            values = value if field.is_repeated else [value]
            for inner in values:
                if isinstance(inner, Message):
                    yield from _proto_strings(inner)
        elif field.type == field.TYPE_STRING and field.name in _TEXT_FIELDS:
            if field.is_repeated:
                yield from value
            else:
                yield value


def _chart_titles(spec: Any) -> Iterator[str]:
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "description") and isinstance(value, str):
                yield value
            elif key in ("title", "description") and isinstance(value, dict):
                text = value.get("text")
                if isinstance(text, str):
                    yield text
            elif key not in ("data", "datasets"):
                yield from _chart_titles(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _chart_titles(value)


def data_vocabulary(ctx: AppContext) -> list[str]:
    """Every text the database and the checklists hold: what a page may show as data.
    Longest first, so a name is removed before a word inside it."""
    from audit_app.storage.tables import metadata

    words: set[str] = set()
    with ctx.engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
            if not columns or table.name in ("sessions", "trail", "ledger"):
                continue
            for row in conn.execute(select(*columns).distinct()):
                for value in row:
                    words.update(_strings(value))
    for checklist in ctx.catalogue:
        words.update(_strings(checklist.model_dump(mode="json")))
    words.update(_short_branch_names(ctx))
    words |= {markdown_text(word) for word in words}  # data as pages escape it
    return sorted((w for w in words if len(w) >= 2), key=len, reverse=True)


def _short_branch_names(ctx: AppContext) -> list[str]:
    """Branch names as narrow pickers show them (without the brand every name shares)."""
    from audit_app.domain.users import Role, User
    from audit_app.services.branches import list_branches
    from audit_app.ui.components.branch_names import short_names

    branches = list_branches(ctx.as_user(User(username="hq", role=Role.HEAD_OFFICE)))
    return list(short_names(branches).values())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith(("{", "[")):
            try:
                yield from _strings(json.loads(stripped))
                return
            except ValueError:
                pass
        yield stripped
        yield from (line.strip() for line in stripped.splitlines())
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(key)
            yield from _strings(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _strings(inner)


def untranslated(strings: Iterable[str], vocabulary: list[str]) -> list[str]:
    """The strings that still hold a word after marks, data and noise are removed."""
    left: list[str] = []
    for original in dict.fromkeys(strings):
        text = original
        while True:
            stripped = MARKED.sub(" ", text)
            if stripped == text:
                break
            text = stripped
        for word in ALLOWED:
            text = text.replace(word, " ")
        for pattern in _NOISE:
            text = pattern.sub(" ", text)
        if not _LEFTOVER.search(text):
            continue
        for word in vocabulary:
            if word in text:
                text = text.replace(word, " ")
                if not _LEFTOVER.search(text):
                    break
        if _LEFTOVER.search(text):
            left.append(original)
    return left
