"""Values stored in a form the app never writes. SQLite keeps whatever it is given: a date
as ``2026-W46-4``, a flag as ``2``, a score as text. Python reads some of them back as the
same value (so a seal still matches) while SQL filters read them differently (an overdue
action no longer overdue, a critical failure no longer counted). PostgreSQL's column types
refuse such values, so only SQLite is searched."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
)

from audit_app.storage.tables import metadata

SHOWN_PER_COLUMN = 5

_DIGITS = "[0-9]"
_DATE = f"{_DIGITS * 4}-{_DIGITS * 2}-{_DIGITS * 2}"
_TIME = f"{_DIGITS * 2}:{_DIGITS * 2}:{_DIGITS * 2}"


@dataclass(frozen=True)
class Malformed:
    table: str
    key: str
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        return (
            f"{self.table} {self.key}: column {self.column} holds {self.value}, not "
            f"{self.expected} as the app stores it (written outside the app)"
        )


def _rule(column: Column[object]) -> tuple[str, str] | None:
    """(SQL that is true for a well-formed non-null value, what the app stores)."""
    name = f'"{column.name}"'
    kind = column.type
    if isinstance(kind, DateTime):
        pattern = f"{_DATE} {_TIME}*"
        return f"typeof({name}) = 'text' AND {name} GLOB '{pattern}'", "a date and time"
    if isinstance(kind, Date):
        return (
            f"typeof({name}) = 'text' AND length({name}) = 10 AND {name} GLOB '{_DATE}'",
            "a date (YYYY-MM-DD)",
        )
    if isinstance(kind, Boolean):
        return f"typeof({name}) = 'integer' AND {name} IN (0, 1)", "0 or 1"
    if isinstance(kind, Integer):
        return f"typeof({name}) = 'integer'", "a whole number"
    if isinstance(kind, Float):
        return f"typeof({name}) IN ('real', 'integer')", "a number"
    if isinstance(kind, JSON):
        return f"typeof({name}) = 'text' AND json_valid({name})", "JSON text"
    if isinstance(kind, String | Text):
        return f"typeof({name}) = 'text'", "text"
    return None


def malformed(conn: Connection) -> list[Malformed]:
    """Every stored value (a few per column) in a form the app does not write."""
    if conn.dialect.name != "sqlite":
        return []
    found: list[Malformed] = []
    for table in metadata.sorted_tables:
        found += _in_table(conn, table)
    return found


def _in_table(conn: Connection, table: Table) -> list[Malformed]:
    rules = [(c.name, rule) for c in table.columns if (rule := _rule(c)) is not None]
    keys = [c.name for c in table.primary_key.columns]
    if not rules:
        return []
    flags = ", ".join(
        f'CASE WHEN "{name}" IS NULL OR ({sql}) THEN 0 ELSE 1 END' for name, (sql, _) in rules
    )
    bad_any = " OR ".join(f'NOT ("{name}" IS NULL OR ({sql}))' for name, (sql, _) in rules)
    shown = ", ".join(f'quote("{name}")' for name, _ in rules)
    key_sql = ", ".join(f'quote("{k}")' for k in keys)
    sql = f'SELECT {key_sql}, {flags}, {shown} FROM "{table.name}" WHERE {bad_any} LIMIT 200'
    out: list[Malformed] = []
    per_column: dict[str, int] = {}
    for row in conn.exec_driver_sql(sql):
        key_values = row[: len(keys)]
        flag_values = row[len(keys) : len(keys) + len(rules)]
        raw_values = row[len(keys) + len(rules) :]
        key = ", ".join(f"{k} {v}" for k, v in zip(keys, key_values, strict=True))
        for (name, (_, expected)), flag, raw in zip(rules, flag_values, raw_values, strict=True):
            if flag and per_column.get(name, 0) < SHOWN_PER_COLUMN:
                per_column[name] = per_column.get(name, 0) + 1
                value = raw if len(raw) <= 40 else raw[:37] + "…"
                out.append(Malformed(table.name, key, name, value, expected))
    return out
